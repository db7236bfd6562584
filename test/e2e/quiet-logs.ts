/**
 * AppModule reads LOG_LEVEL when it is first imported (LoggerModule.forRoot), before
 * startTestApp sets LOG_LEVEL=silent: import this first so that request logs stay out of the output.
 */
process.env.LOG_LEVEL = 'silent';
