/**
 * Bootdrop's saved choices — ISOs, interface, mode, menu edits — as one JSON shape, shared by the
 * desktop app (`<userData>/settings.json`) and the headless service (`bootdrop serve --config <file>`),
 * so a file saved by the window serves the same menu under systemd. Pure: parsed JSON in, settings or
 * a SettingsError naming the field out. Same rules as IPC payloads (main/contract/validate).
 */
import type { MenuSettings, ServeMode } from '../contract';
import { InvalidRequestError, LIMITS, isAbsoluteHostPath, validateMenu, validateMode } from '../contract/validate';
import { checkPoolsApart, parsePoolSpec, PoolSpecError } from '../dhcp/relay-pool';

const SETTINGS_VERSION = 1;
const MAX_SOURCES = 64;

export interface BootdropSettings {
  version: typeof SETTINGS_VERSION;
  /** Host paths of the ISOs/folders being served, in the order they were added. */
  sources: string[];
  interfaceName: string | null;
  mode: ServeMode;
  /** null until the user edits the menu: the engine's defaults apply. */
  menu: MenuSettings | null;
  /**
   * Address pools for subnets behind a DHCP relay, as `--pool` spells them
   * (`10.1.0.0/24:10.1.0.100-10.1.0.199`); only the service's file sets them (the window has no place yet).
   */
  relayPools?: string[];
}

export const DEFAULT_SETTINGS: BootdropSettings = {
  version: SETTINGS_VERSION,
  sources: [],
  interfaceName: null,
  mode: 'auto',
  menu: null,
};

const FIELDS = ['version', 'sources', 'interfaceName', 'mode', 'menu', 'relayPools'];
const MAX_POOLS = 64;

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Pure: parsed JSON → settings, or a SettingsError saying which field is wrong. */
export function validateSettings(raw: unknown): BootdropSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SettingsError('expected a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.version !== SETTINGS_VERSION)
    throw new SettingsError(`unsupported version ${JSON.stringify(o.version)} (expected ${SETTINGS_VERSION})`);
  for (const key of Object.keys(o))
    if (!FIELDS.includes(key))
      throw new SettingsError(`unexpected field "${key}" (known fields: ${FIELDS.join(', ')})`);
  if (!Array.isArray(o.sources) || o.sources.length > MAX_SOURCES)
    throw new SettingsError(
      `sources: expected a list of at most ${MAX_SOURCES} paths, got ` +
        `${Array.isArray(o.sources) ? `${o.sources.length} paths` : (JSON.stringify(o.sources) ?? 'nothing')}`,
    );
  const sources = o.sources.map((p, i) => {
    if (typeof p !== 'string' || p.length === 0 || p.length > LIMITS.pathChars || !isAbsoluteHostPath(p)) {
      throw new SettingsError(`sources[${i}]: expected an absolute path, got ${JSON.stringify(p)}`);
    }
    return p;
  });
  const name = o.interfaceName;
  if (name !== null && (typeof name !== 'string' || name.length === 0 || name.length > LIMITS.interfaceChars)) {
    throw new SettingsError(
      `interfaceName: expected an interface name or null, got ${JSON.stringify(name) ?? 'nothing'}`,
    );
  }
  const relayPools = validatePools(o.relayPools);
  try {
    const mode = validateMode(o.mode, 'mode');
    const menu = o.menu === null ? null : validateMenu(o.menu, 'menu');
    if (relayPools && relayPools.length > 0 && mode === 'proxy')
      throw new SettingsError(
        'relayPools: proxy mode never hands out addresses; set "mode" to "dhcp" or "auto", or remove relayPools',
      );
    return {
      version: SETTINGS_VERSION,
      sources: [...new Set(sources)],
      interfaceName: name,
      mode,
      menu,
      ...(relayPools ? { relayPools } : {}),
    };
  } catch (err) {
    if (err instanceof InvalidRequestError) throw new SettingsError(err.message);
    throw err;
  }
}

/** relayPools: absent, or a list of `--pool` specs that parse and do not overlap. */
function validatePools(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > MAX_POOLS || raw.some((p) => typeof p !== 'string'))
    throw new SettingsError(
      `relayPools: expected a list of at most ${MAX_POOLS} strings like "10.1.0.0/24:10.1.0.100-10.1.0.199", ` +
        `got ${JSON.stringify(raw) ?? 'nothing'}`,
    );
  const specs = raw as string[];
  try {
    checkPoolsApart(specs.map((spec) => parsePoolSpec(spec)));
  } catch (err) {
    if (err instanceof PoolSpecError) throw new SettingsError(`relayPools: ${err.message.replace(/^--pool /, '')}`);
    throw err;
  }
  return specs;
}
