import { Module } from '@nestjs/common';
import { CodeTablesController } from './code-tables.controller';
import { CodeTablesService } from './code-tables.service';
import { CodeTablesStore } from './code-tables.store';

@Module({ controllers: [CodeTablesController], providers: [CodeTablesService, CodeTablesStore], exports: [CodeTablesService] })
export class CodesModule {}
