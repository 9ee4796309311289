import type { LogLevel } from '../contract';
import { isVfsError } from '../vfs';
import { TftpErrorCode } from './packet';
import { errorMessage } from '../errors';

/** How a read request the Vfs could not open is answered: the ERROR packet, the log line, the event. */
export interface Refusal {
  code: number;
  text: string;
  level: LogLevel;
  log: string;
  result: 'refused' | 'not-found' | 'error';
}

/**
 * Pure: the Vfs error from opening `name` → the answer. Escapes and bad names are access violations
 * (logged as warnings: someone probes), missing files, symlink loops and directories are "not found" (PXE clients
 * try several names), anything else is a read error on our side.
 */
export function refusalFor(err: unknown, name: string): Refusal {
  const why = errorMessage(err);
  if (isVfsError(err, 'EOUTSIDE') || isVfsError(err, 'EINVAL')) {
    return {
      code: TftpErrorCode.AccessViolation,
      text: 'Access violation',
      level: 'warn',
      log: `refused ${JSON.stringify(name)}: ${why}`,
      result: 'refused',
    };
  }
  if (isVfsError(err, 'ELOOP')) {
    // A symlink loop leads nowhere: "not found", as HTTP's 404 says, logged as a warning (hostile media).
    return {
      code: TftpErrorCode.FileNotFound,
      text: 'File not found',
      level: 'warn',
      log: `refused ${JSON.stringify(name)}: ${why}`,
      result: 'not-found',
    };
  }
  if (isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR') || isVfsError(err, 'EISDIR')) {
    return {
      code: TftpErrorCode.FileNotFound,
      text: 'File not found',
      level: 'info',
      log: `not found: ${name}`,
      result: 'not-found',
    };
  }
  return {
    code: TftpErrorCode.NotDefined,
    text: 'Read error on the server',
    level: 'error',
    log: `cannot read ${name}: ${why}`,
    result: 'error',
  };
}
