import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { EmailAlreadyTaken } from '@herald/domain';
import { CreateUserCommand } from './create-user.command';

/** Creates the admin named by HERALD_ADMIN_EMAIL/PASSWORD at start, unless a user has that email already. */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdmin.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly commands: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    try {
      await this.commands.execute(
        new CreateUserCommand(admin.email, 'Administrator', admin.password, 'admin', null),
      );
      this.logger.log(`Created the bootstrap admin ${admin.email}`);
    } catch (error) {
      // Another instance starting at the same moment, or an earlier start, created it: that is the goal.
      if (!(error instanceof EmailAlreadyTaken)) throw error;
    }
  }
}
