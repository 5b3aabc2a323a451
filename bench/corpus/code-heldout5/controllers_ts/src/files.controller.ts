import { Controller, Get, Post, Route, Query, Body } from 'tsoa';
import { promises as fs } from 'fs';
import * as vm from 'vm';
import { pool } from './db';

@Route('files')
export class FilesController extends Controller {
  @Get('read')
  public async read(@Query() name: string): Promise<string> {
    return fs.readFile(`/srv/files/${name}`, 'utf8'); // bad: 22
  }

  @Get('count')
  public async count(@Query() owner: string): Promise<number> {
    const result = await pool.query('SELECT count(*) FROM files WHERE owner = ' + owner); // bad: 89
    return result.rows[0].count;
  }

  @Get('count-safe')
  public async countSafe(@Query() owner: string): Promise<number> {
    const result = await pool.query('SELECT count(*) FROM files WHERE owner = $1', [owner]); // ok: 89
    return result.rows[0].count;
  }

  @Post('formula')
  public async formula(@Body() body: { expr: string }): Promise<unknown> {
    return vm.runInNewContext(body.expr, {}); // bad: 94
  }

  @Post('formula-safe')
  public async formulaSafe(@Body() body: { expr: string }): Promise<number> {
    return Number.parseFloat(body.expr); // ok: 94
  }
}
