import { Module } from '@nestjs/common';
import { CodeTablesController } from './code-tables.controller';
import { CodeTablesService } from './code-tables.service';

@Module({ controllers: [CodeTablesController], providers: [CodeTablesService], exports: [CodeTablesService] })
export class CodesModule {}
