import { Command } from '@nestjs/cqrs';
import type { UserRole } from '@herald/domain';

export class CreateUserCommand extends Command<{ userId: string }> {
  constructor(
    readonly email: string,
    readonly name: string,
    readonly password: string,
    readonly role: UserRole,
    readonly actorId: string | null,
  ) {
    super();
  }
}
