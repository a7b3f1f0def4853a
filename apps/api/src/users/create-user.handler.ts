import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  decideCreateUser,
  EmailAlreadyTaken,
  initialUserState,
  normalizeEmail,
  userStream,
} from '@herald/domain';
import type { EventStore } from '@herald/event-store';
import { randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import { EVENT_STORE } from '@herald/projections';
import { CreateUserCommand } from './create-user.command';
import { UserDirectory } from './user-directory';

/**
 * Appends UserCreated to a new stream. Email uniqueness spans streams: the read model is checked
 * first for a clear answer, and its unique index catches the race of two creations at once (the
 * losing append rolls back whole).
 */
@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly users: UserDirectory,
    private readonly passwords: PasswordHasher,
  ) {}

  async execute(command: CreateUserCommand): Promise<{ userId: string }> {
    const email = normalizeEmail(command.email);
    if (await this.users.emailTaken(email)) throw new EmailAlreadyTaken(email);
    const userId = randomUUID();
    const events = decideCreateUser(
      {
        userId,
        email,
        name: command.name,
        role: command.role,
        passwordHash: await this.passwords.hash(command.password),
      },
      initialUserState(),
    );
    try {
      await this.events.append(userStream(userId), events, {
        expectedVersion: 'no_stream',
      });
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint === 'users_email_key'
      ) {
        throw new EmailAlreadyTaken(email);
      }
      throw error;
    }
    return { userId };
  }
}
