/**
 * A settings file read by the headless service: JSON text → settings, or a ConfigFileError that says
 * what is wrong, where (file, line and column for JSON syntax, the field otherwise) and what to do.
 */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../errors';
import { jsonErrorOffset } from './json-where';
import { SettingsError, validateSettings, type BootdropSettings } from './settings';

export class ConfigFileError extends Error {
  readonly code = 'ECONFIG';
  constructor(
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

const FORMAT_HINT =
  'the file has the desktop app\'s settings.json format: {"version": 1, "sources": ["/abs/path.iso"], ' +
  '"interfaceName": null, "mode": "proxy", "menu": null}';

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** "line 4, column 1" of the first mistake (V8's own offset when ours finds none). */
function syntaxWhere(text: string, err: SyntaxError): string {
  const v8 = /at position (\d+)/.exec(err.message);
  const offset = jsonErrorOffset(text) ?? (v8 ? Number(v8[1]) : null);
  if (text.trim() === '') return 'the file is empty';
  if (offset === null) return 'somewhere in the file';
  const { line, column } = lineColumn(text, offset);
  return offset >= text.length
    ? `line ${line}, column ${column}, the end of the file`
    : `line ${line}, column ${column}`;
}

/** V8's reason without its offset or its copy of the text. */
function syntaxReason(err: SyntaxError): string {
  return err.message
    .replace(/\s*(in JSON )?at position \d+.*$/s, '')
    .replace(/^(Unexpected token .+?), ".*" is not valid JSON$/s, '$1')
    .replace(/\n/g, '\\n');
}

/** Pure: the file's text → settings. `file` only names the file in messages. */
export function parseSettingsText(content: string, file: string): BootdropSettings {
  const text = content.replace(/^\uFEFF/, ''); // a byte-order mark from a Windows editor is not a mistake
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const e = err as SyntaxError;
    throw new ConfigFileError(
      `${file}: not valid JSON (${syntaxWhere(text, e)}: ${syntaxReason(e)})`,
      `fix the JSON at that place (a missing comma or quote, a trailing comma); ${FORMAT_HINT}`,
    );
  }
  try {
    return validateSettings(raw);
  } catch (err) {
    if (err instanceof SettingsError)
      throw new ConfigFileError(`${file}: ${err.message}`, `correct that field; ${FORMAT_HINT}`);
    throw err;
  }
}

export async function readSettingsFile(file: string): Promise<BootdropSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const remedy =
      code === 'ENOENT'
        ? `create it (bootdrop install-service writes a starter file), or pass another --config; ${FORMAT_HINT}`
        : code === 'EACCES'
          ? "let the user Bootdrop runs as read it (chmod a+r, or the service's --user), or run as that file's owner"
          : 'check the path given to --config';
    throw new ConfigFileError(`cannot read the config file ${file}: ${errorMessage(err)}`, remedy);
  }
  return parseSettingsText(text, file);
}
