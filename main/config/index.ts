export {
  DEFAULT_SETTINGS,
  MAX_SOURCES,
  SETTINGS_VERSION,
  SettingsError,
  validateSettings,
  type BootdropSettings,
} from './settings';
export { ConfigFileError, lineColumn, parseSettingsText, readSettingsFile } from './file';
