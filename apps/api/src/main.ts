import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { DOMAIN } from '@herald/domain';
@Module({})
class AppModule {}
async function main() { const app = await NestFactory.create(AppModule); await app.listen(3999); console.log('up', DOMAIN); await app.close(); }
void main();
