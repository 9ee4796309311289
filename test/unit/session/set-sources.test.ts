/**
 * Session.setSources — what a reloaded config file asks for — with the services as small functions
 * writing one journal: all new sources open before anything changes, a failure changes nothing, kept
 * sources keep their id, and the menu is laid out once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Session, SessionError } from '../../../main/session';
import { fakeServices } from '../../helpers/fake-services';

let session: Session<string> | null = null;
afterEach(async () => {
  await session?.dispose();
  session = null;
});

async function servingWith(journal: string[], paths: string[]): Promise<Session<string>> {
  session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, fakeServices(journal));
  await session.setSources({ paths });
  await session.start();
  journal.length = 0;
  return session;
}

const ids = (s: Session<string>) => s.effectiveSources().map((x) => x.id);

describe('Session.setSources', () => {
  it('adds and removes in one step: kept sources stay open with their id, one new layout, file order', async () => {
    const journal: string[] = [];
    const s = await servingWith(journal, ['/isos/a.iso', '/isos/b.iso']);
    const { added, removed } = await s.setSources({ paths: ['/isos/c.iso', '/isos/b.iso'] });
    expect(added.map((x) => x.id)).toEqual(['c']);
    expect(removed.map((x) => x.id)).toEqual(['a']);
    expect(ids(s)).toEqual(['c', 'b']);
    expect(journal).toEqual(['open c.iso', 'layout c,b', 'close a.iso']);
    expect((await s.snapshot()).state.serving).toBe(true); // no restart
  });

  it('changes nothing when one new source cannot be opened, and says which', async () => {
    const journal: string[] = [];
    const s = await servingWith(journal, ['/isos/a.iso']);
    const err = (await s.setSources({ paths: ['/isos/b.iso', '/isos/broken.iso'] }).then(
      () => null,
      (e: unknown) => e,
    )) as SessionError;
    expect(err).toBeInstanceOf(SessionError);
    expect(err.message).toBe('cannot serve /isos/broken.iso: not an ISO image');
    expect(err.code).toBe('EBADISO');
    expect(err.remedy).toBeTruthy();
    expect(ids(s)).toEqual(['a']);
    expect(journal).toEqual(['open b.iso', 'close b.iso']); // opened, closed again; no layout, a untouched
  });

  it('does nothing for the same list, and a replaced ISO of the same name gets its plain id back', async () => {
    const journal: string[] = [];
    const s = await servingWith(journal, ['/isos/a.iso']);
    expect(await s.setSources({ paths: ['/isos/a.iso'] })).toEqual({ added: [], removed: [] });
    expect(journal).toEqual([]);
    await s.setSources({ paths: ['/new/a.iso'] });
    expect(ids(s)).toEqual(['a']); // as a fresh start would name it: the menu's entry edits still match
  });

  it("drops menu edits of removed sources and keeps the others'", async () => {
    const journal: string[] = [];
    const s = await servingWith(journal, ['/isos/a.iso', '/isos/b.iso']);
    const menu = (await s.snapshot()).menu;
    await s.setMenu({
      menu: { ...menu, defaultEntryId: 'a:live', overrides: { 'a:live': { label: 'A' }, 'b:live': { label: 'B' } } },
    });
    await s.setSources({ paths: ['/isos/b.iso'] });
    const after = (await s.snapshot()).menu;
    expect(after.overrides).toEqual({ 'b:live': { label: 'B' } });
    expect(after.defaultEntryId).toBeNull();
  });
});
