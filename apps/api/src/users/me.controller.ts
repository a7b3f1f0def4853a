import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ProblemException } from '../common/problem.exception';
import { UserDirectory } from './user-directory';
import { UserView } from './user.view';

@ApiTags('you')
@Controller('v1/me')
export class MeController {
  constructor(private readonly users: UserDirectory) {}

  @Get()
  @Access('user')
  @ApiOperation({ summary: 'The signed-in user, with their API access state' })
  @ApiOkResponse({ type: UserView })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserView> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw ProblemException.notFound('Your user no longer exists');
    return user;
  }
}
