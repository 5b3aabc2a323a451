import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Redirect, Res } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Response } from 'express';
import { exec } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as bcrypt from 'bcrypt';
import { Repository, DataSource } from 'typeorm';
import { User } from './user.entity';

class CreateUserDto {
  name!: string;
  password!: string;
}

@Controller('users')
export class UsersController {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly dataSource: DataSource,
  ) {}

  @Get('search')
  async search(@Query('q') q: string) {
    return this.users.query(`SELECT * FROM "user" WHERE name ILIKE '%${q}%'`); // bad: 89
  }

  @Get('search-safe')
  async searchSafe(@Query('q') q: string) {
    return this.users.query('SELECT * FROM "user" WHERE name ILIKE $1', [`%${q}%`]); // ok: 89
  }

  @Get(':id')
  async findOne(@Param('id', ParseIntPipe) id: number) {
    return this.dataSource.query(`SELECT * FROM "user" WHERE id = ${id}`); // ok: 89
  }

  @Get('by-email/:email')
  async byEmail(@Param('email') email: string) {
    return this.dataSource.query(`SELECT * FROM "user" WHERE email = '${email}'`); // bad: 89
  }

  @Get('by-email-orm/:email')
  async byEmailOrm(@Param('email') email: string) {
    return this.users.findOne({ where: { email } }); // ok: 943
  }

  @Post()
  async create(@Body() dto: CreateUserDto) {
    const hash = createHash('md5').update(dto.password).digest('hex'); // bad: 328
    return this.users.save({ name: dto.name, password: hash });
  }

  @Post('safe')
  async createSafe(@Body() dto: CreateUserDto) {
    const hash = await bcrypt.hash(dto.password, 12);
    const etag = createHash('sha256').update(dto.name).digest('hex'); // ok: 328
    return this.users.save({ name: dto.name, password: hash, etag });
  }

  @Post('invite')
  async invite(@Body('email') email: string) {
    const inviteToken = Math.random().toString(36).slice(2); // bad: 330
    const resetToken = randomBytes(24).toString('hex'); // ok: 330
    return { email, inviteToken, resetToken };
  }

  @Get('avatar/:name')
  avatar(@Param('name') name: string, @Res() res: Response) {
    exec('convert avatars/' + name + ' -resize 64x64 /tmp/a.png', () => res.sendFile('/tmp/a.png')); // bad: 78
  }

  @Get('home')
  home(@Query('next') next: string, @Res() res: Response) {
    return res.redirect(next); // bad: 601
  }

  @Get('docs')
  @Redirect('https://docs.example.com', 302)
  docs(@Query('version') version: string) {
    if (version && /^\d+\.\d+$/.test(version)) {
      return { url: `https://docs.example.com/v${version}/` }; // ok: 601
    }
  }
}
