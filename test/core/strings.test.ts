import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setStrings, STRINGS, stringsFor } from '../../src/core/strings.ts';
import type { Strings } from '../../src/core/strings.ts';
import { errorText, failureKey } from '../../src/core/view.ts';
import de from '../../src/locales/de.ts';
import es from '../../src/locales/es.ts';
import fr from '../../src/locales/fr.ts';
import hi from '../../src/locales/hi.ts';
import ja from '../../src/locales/ja.ts';
import ptBR from '../../src/locales/pt-BR.ts';
import { LOCALES } from '../../vite.config.ts';

/** The proxy's codes that can reach a browser, and the client's own network failure. */
const BROWSER_CODES = [
  'bad_request',
  'invalid_codec',
  'unauthorized',
  'token_expired',
  'not_found',
  'recording_active',
  'invalid_state',
  'not_ready',
  'download_expired',
  'not_supported',
  'rate_limited',
  'upstream_unavailable',
  'upstream_error',
  'internal_error',
  'network_error',
];
const SHIPPED: Record<string, Partial<Strings>> = { de, es, fr, hi, ja, 'pt-BR': ptBR };
const placeholders = (text: string) => [...text.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();

describe('texts and translations', () => {
  it('ships every locale the build lists, each complete, placeholders kept', () => {
    assert.deepEqual(Object.keys(SHIPPED).sort(), [...LOCALES].sort());
    for (const [lang, translation] of Object.entries(SHIPPED)) {
      assert.deepEqual(
        Object.keys(translation).sort(),
        [...new Set([...Object.keys(STRINGS), ...BROWSER_CODES])].sort(),
        lang,
      );
      for (const [key, english] of Object.entries(STRINGS))
        assert.deepEqual(
          placeholders(translation[key as keyof Strings]!),
          placeholders(english),
          `${lang}.${key}`,
        );
    }
  });

  it('chooses the translation of the nearest language, region first, and English otherwise', () => {
    setStrings({ idle: 'Nicht aufnehmend (Österreich)' }, 'de-AT');
    setStrings(de, 'de');
    setStrings(ptBR, 'pt-BR');
    assert.equal(stringsFor('de').idle, de.idle);
    assert.equal(stringsFor('DE-at').idle, 'Nicht aufnehmend (Österreich)');
    assert.equal(stringsFor('de-CH').idle, de.idle);
    assert.equal(stringsFor('pt-br').record, ptBR.record);
    assert.equal(stringsFor('pt').record, STRINGS.record, 'Portugal has no translation yet');
    assert.equal(stringsFor('ko').record, STRINGS.record);
    assert.equal(stringsFor().record, STRINGS.record);
  });

  it('lets the page override texts in any language', () => {
    setStrings(fr, 'fr');
    setStrings({ retry: 'Try again' });
    try {
      assert.equal(stringsFor('fr').retry, 'Try again');
      assert.equal(stringsFor().retry, 'Try again');
      assert.equal(stringsFor('fr').loadMore, fr.loadMore);
    } finally {
      setStrings({ retry: STRINGS.retry });
    }
  });

  it("shows a proxy error in the page's language, else the proxy's message", () => {
    setStrings(hi, 'hi');
    const error = { code: 'recording_active', message: 'A recording is already running.' };
    assert.equal(errorText(error, { ...STRINGS, ...ja }), ja.recording_active);
    assert.equal(errorText(error, STRINGS), 'A recording is already running.');
    assert.equal(
      errorText({ code: 'network_error', message: 'Failed to fetch' }, STRINGS),
      STRINGS.unreachable,
    );
    assert.equal(
      errorText({ code: 'network_error', message: 'Failed to fetch' }, stringsFor('hi')),
      hi.network_error,
    );
    assert.equal(errorText({ code: 'something_new', message: 'New.' }, { ...STRINGS, ...es }), 'New.');
  });

  it('says why nothing loads in three words, retrying only what a retry may fix', () => {
    assert.equal(failureKey({ code: 'unauthorized', message: '' }), 'notAuthorized');
    assert.equal(failureKey({ code: 'token_expired', message: '' }), 'notAuthorized');
    assert.equal(failureKey({ code: 'forbidden', message: '' }), 'notAuthorized');
    assert.equal(failureKey({ code: 'not_configured', message: '' }), 'notConfigured');
    assert.equal(failureKey({ code: 'network_error', message: '' }), 'unreachable');
    assert.equal(failureKey({ code: 'upstream_unavailable', message: '' }), 'unreachable');
  });
});
