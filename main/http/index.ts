export { HttpServer, type HttpServerOptions, type HttpRequestEvent, type GenerateRequest } from './server';
export { parseRange, type RangeResult } from './range';
export { decodeRequestPath, type DecodedPath } from './request-path';
export { contentTypeFor } from './content-type';
