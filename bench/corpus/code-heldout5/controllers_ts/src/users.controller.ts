import { JsonController, Get, Post, QueryParam, Body, Param, Res } from 'routing-controllers';
import { Response } from 'express';
import { exec, execFile } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import { dataSource } from './data-source';

const REPORTS = '/srv/reports';

@JsonController('/users')
export class UserController {
  @Get('/')
  async list(@QueryParam('sort') sort: string) {
    return dataSource.query(`SELECT * FROM users ORDER BY ${sort}`); // bad: 89
  }

  @Get('/by-name')
  async byName(@QueryParam('name') name: string) {
    return dataSource.query('SELECT * FROM users WHERE name = $1', [name]); // ok: 89
  }

  @Post('/:id/avatar')
  async avatar(@Param('id') id: string, @Body() body: { url: string }) {
    exec(`curl -o /tmp/${id}.png ${body.url}`); // bad: 78
    return { ok: true };
  }

  @Post('/:id/avatar-safe')
  async avatarSafe(@Param('id') id: string, @Body() body: { url: string }) {
    execFile('curl', ['-o', `/tmp/avatar.png`, '--', body.url]); // ok: 78
    return { ok: true };
  }

  @Get('/report')
  async report(@QueryParam('file') file: string, @Res() res: Response) {
    return readFileSync(path.join(REPORTS, file), 'utf8'); // bad: 22
  }

  @Get('/report-safe')
  async reportSafe(@QueryParam('file') file: string) {
    return readFileSync(path.join(REPORTS, path.basename(file)), 'utf8'); // ok: 22
  }
}
