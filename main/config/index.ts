export { DEFAULT_SETTINGS, SettingsError, validateSettings, type BootdropSettings } from './settings';
export { ConfigFileError, lineColumn, parseSettingsText, readSettingsFile } from './file';
