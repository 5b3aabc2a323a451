import { Controller, Get, Post, Req, Res, Body, Query } from '@nestjs/common';
import { Request, Response } from 'express';
import { join, basename } from 'path';
import { createReadStream } from 'fs';
import { execFile, exec } from 'child_process';

@Controller('files')
export class FilesController {
  @Get('download')
  download(@Req() req: Request, @Res() res: Response) {
    const stream = createReadStream(join('/srv/files', req.query.name as string)); // bad: 22
    stream.pipe(res);
  }

  @Get('download-safe')
  downloadSafe(@Query('name') name: string, @Res() res: Response) {
    const stream = createReadStream(join('/srv/files', basename(name))); // ok: 22
    stream.pipe(res);
  }

  @Post('thumb')
  thumb(@Body() body: { file: string }) {
    exec(`convert /srv/files/${body.file} -thumbnail 64 /tmp/t.png`); // bad: 78
    execFile('convert', [`/srv/files/${basename(body.file)}`, '-thumbnail', '64', '/tmp/t.png']); // ok: 78
  }

  @Get('go')
  go(@Query('to') to: string, @Res() res: Response) {
    res.redirect(to.startsWith('/') && !to.startsWith('//') ? to : '/'); // ok: 601
  }
}
