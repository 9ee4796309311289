export {
  checkUser,
  DEFAULT_CONFIG_FILE,
  DEFAULT_UNIT_DIR,
  execWord,
  renderUnit,
  UNIT_MARKER,
  UNIT_NAME,
  UnitError,
  type UnitOptions,
} from './unit';
