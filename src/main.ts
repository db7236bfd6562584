import 'reflect-metadata';
import { Environment } from './config/environment';
import { createHttpApp } from './server';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp();
  const env = app.get(Environment);
  await app.listen(env.PORT);
}

bootstrap().catch((err: Error) => {
  process.stderr.write(`dip: cannot start: ${err.message}\n`);
  process.exit(1);
});
