import { asLocale, type Locale, localeFromList } from '#shared/i18n/locale.ts';
import { pageMessages } from '#shared/i18n/messages/page.ts';
import { renderMessage, type Translate, translator } from '#shared/i18n/translate.ts';

/**
 * The page's language: the reader's own choice from the switch (remembered in localStorage),
 * else the first of `navigator.languages` the page has a catalogue for, else English. Static
 * text carries `data-i18n` (text) or `data-i18n-alt` (an image's alt) naming its message; it is
 * rewritten with `textContent` and `setAttribute` only, which the page's Trusted Types policy
 * ('none') allows, and the switch's buttons get listeners here, never inline handlers.
 */

const STORAGE_KEY = 'dcc-verify-locale';

function storedLocale(): Locale | null {
  try {
    return asLocale(window.localStorage.getItem(STORAGE_KEY));
  } catch {
    // Storage may be disabled (privacy settings, sandboxing); the browser's languages decide then.
    return null;
  }
}

function remember(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered; the choice still holds for this visit.
  }
}

let current: Locale = storedLocale() ?? localeFromList(navigator.languages?.length ? navigator.languages : [navigator.language]);

/** The language the page is shown in now. */
export function pageLocale(): Locale {
  return current;
}

/** The page's messages in the current language. */
export function pageText(): Translate<typeof pageMessages.en> {
  return translator(pageMessages, current);
}

type PageKey = keyof typeof pageMessages.en & string;

function isPageKey(key: string | undefined): key is PageKey {
  return key !== undefined && Object.hasOwn(pageMessages.en, key);
}

/** Writes every static text, `<html lang>`, the title and the switch's state in the current language. */
function applyStaticText(): void {
  const t = pageText();
  document.documentElement.lang = current;
  document.title = t('page.title');
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = element.dataset['i18n'];
    if (isPageKey(key)) element.textContent = renderMessage(current, pageMessages[current][key]);
  }
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n-alt]')) {
    const key = element.dataset['i18nAlt'];
    if (isPageKey(key)) element.setAttribute('alt', renderMessage(current, pageMessages[current][key]));
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-locale]')) {
    button.setAttribute('aria-pressed', String(button.dataset['locale'] === current));
  }
}

/**
 * Shows the page in the current language and wires the switch; `rerender` redraws what the
 * script wrote (a verdict, a certificate) after the reader switches.
 */
export function startLanguage(rerender: () => void): void {
  applyStaticText();
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-locale]')) {
    button.addEventListener('click', () => {
      const chosen = asLocale(button.dataset['locale']);
      if (!chosen || chosen === current) return;
      current = chosen;
      remember(chosen);
      applyStaticText();
      rerender();
    });
  }
}
