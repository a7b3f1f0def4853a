import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ClearApiKeyCommand } from '../api-keys/clear-api-key.command';
import { Access } from '../auth/access.decorator';
import { RequestContext, type CommandContext } from '../common/command-context';
import type { Page } from '../common/pagination';
import { ProblemException } from '../common/problem.exception';
import { UuidParam } from '../common/uuid-param.pipe';
import { CreateUserCommand } from '../users/create-user.command';
import { UserDirectory } from '../users/user-directory';
import { UserPage, UserView } from '../users/user.view';
import { CreateUserDto } from './create-user.dto';
import { ListUsersQuery } from './list-users.query';

@ApiTags('admin')
@Controller('v1/admin/users')
export class AdminUsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserDirectory,
  ) {}

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserView })
  async create(
    @Body() body: CreateUserDto,
    @RequestContext() context: CommandContext,
  ): Promise<UserView> {
    const { userId } = await this.commands.execute(
      new CreateUserCommand(body.email, body.name, body.password, body.role, context.actorId),
    );
    return this.getUser(userId);
  }

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'Users, optionally only those with API access on (?apiAccess=enabled)' })
  @ApiOkResponse({ type: UserPage })
  list(@Query() query: ListUsersQuery): Promise<Page<UserView>> {
    return this.users.list({
      apiAccess: query.apiAccess,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Get(':userId')
  @Access('admin')
  @ApiOperation({ summary: 'One user with their API access state' })
  @ApiOkResponse({ type: UserView })
  getUser(@Param('userId', UuidParam) userId: string): Promise<UserView> {
    return this.users.findById(userId).then((user) => {
      if (!user) throw ProblemException.notFound(`No user ${userId}`);
      return user;
    });
  }

  @Delete(':userId/api-key')
  @Access('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Clear API Key',
    description: "The user's key fails from this moment; they must regenerate to get access again.",
  })
  @ApiNoContentResponse()
  async clearApiKey(
    @Param('userId', UuidParam) userId: string,
    @RequestContext() context: CommandContext,
  ): Promise<void> {
    await this.commands.execute(new ClearApiKeyCommand(userId, 'admin', context));
  }
}
