import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access } from '../auth/access.decorator';
import { ProblemException } from '../common/problem.exception';
import { ConsoleAssets } from './console-assets';
import { setConsoleHeaders } from './console-headers';

/**
 * The web console: one HTML shell and its static files, public like any login page. Everything it
 * shows comes from the JSON API, which checks the session cookie (and the CSRF header) itself.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  @Access('public')
  shell(@Res() response: Response): void {
    this.send(response, 'index.html');
  }

  @Get('assets/:file')
  @Access('public')
  asset(@Param('file') file: string, @Res() response: Response): void {
    this.send(response, file);
  }

  private send(response: Response, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw ProblemException.notFound(`No console file ${name}`);
    setConsoleHeaders(response, asset.contentType);
    response.send(asset.body);
  }
}
