export { HttpServer, type HttpServerOptions, type HttpRequestEvent } from './server';
