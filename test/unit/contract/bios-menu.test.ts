import { describe, expect, it } from 'vitest';
import { BIOS_MENUS } from '../../../main/contract';
import {
  InvalidRequestError,
  validateBiosMenu,
  validateMenu,
  validateRequest,
  type ValidationEnv,
} from '../../../main/contract/validate';
import { errorMessage } from '../../../main/errors';

const env: ValidationEnv = { statPath: async () => null, interfaceNames: async () => [] };
const BASE = { timeoutSec: 5, defaultEntryId: null, append: '', overrides: {} };

describe('MenuSettings.biosMenu at the boundary', () => {
  it('accepts both choices and passes them on', async () => {
    expect(BIOS_MENUS).toEqual(['bootdrop', 'iso']);
    for (const biosMenu of BIOS_MENUS) {
      expect(await validateRequest('setMenu', { menu: { ...BASE, biosMenu } }, env)).toEqual({
        menu: { ...BASE, biosMenu },
      });
    }
  });

  it("fills in Bootdrop's menu when a client or an older settings file leaves it out", () => {
    expect(validateMenu(BASE)).toEqual({ ...BASE, biosMenu: 'bootdrop' });
  });

  it('refuses anything else, saying where and which values are allowed', async () => {
    for (const bad of ['ISO', 'pxelinux', '', null, true, 1, ['iso'], { iso: true }]) {
      const err = await validateRequest('setMenu', { menu: { ...BASE, biosMenu: bad } }, env).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(bad)).toBeInstanceOf(InvalidRequestError);
      expect(errorMessage(err)).toMatch(/^setMenu\.menu\.biosMenu: expected one of bootdrop, iso .*got /);
    }
    expect(() => validateBiosMenu('classic', 'settings.menu.biosMenu')).toThrow(
      /^settings\.menu\.biosMenu: .*got "classic"$/,
    );
  });
});
