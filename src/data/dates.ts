// Dates and times written as ISO 8601 text (2024-03-15, 2024-03-15T10:30, 2024-03-15 10:30:00Z) as numbers a
// network can use: the day count since 1970-01-01 and, from it alone, the year, month, weekday and hour. Every
// part is computed from the day count, so the ONNX graph and the standalone module derive them the same way.

/** What a date column becomes: one input each (scaled like a numeric column). */
export type DatePart = 'year' | 'month' | 'weekday' | 'hour' | 'days';
export const DATE_PARTS: readonly DatePart[] = ['year', 'month', 'weekday', 'hour', 'days'];

/** The day from which `days` counts: 1970-01-01 (a Thursday). */
export const DATE_REFERENCE = '1970-01-01';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian), by Howard Hinnant's days_from_civil. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a whole day count from 1970-01-01 (Hinnant's civil_from_days). */
export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * An ISO 8601 date or date-time as days since 1970-01-01, fractional for the time of day, or NaN where the text is
 * not one (or names no real day, as 2023-02-29). The time is taken as written: an offset (Z, +02:00) is accepted
 * and not applied, so 10:30+02:00 is hour 10.5, the hour on the writer's clock.
 */
export function parseDate(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return NaN;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap(y) ? 29 : MONTH_DAYS[mo - 1])) return NaN;
  const h = m[4] === undefined ? 0 : Number(m[4]), mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]) + (m[7] === undefined ? 0 : Number(`0.${m[7]}`));
  if (h > 23 || mi > 59 || s >= 61) return NaN;
  return daysFromCivil(y, mo, d) + (h * 3600 + mi * 60 + Math.min(s, 59.999)) / 86400;
}

/**
 * How a date is written where it is not ISO 8601: month/day/year (03/15/2024, as US spreadsheets write it) or
 * day/month/year (15/03/2024, 15.03.2024); the parts apart by '/', '.' or '-', the year in four digits, and a time
 * of day after it where one is written (14:30, 2:30 PM, 14:30:05).
 */
export type DateOrder = 'mdy' | 'dmy';

export const WRITTEN_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[T ,]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;

/** The day and time of a date written in `order` (DateOrder) as days since 1970-01-01, or NaN where it is none. */
function parseWritten(text: string, order: DateOrder): number {
  const m = WRITTEN_DATE.exec(text.trim());
  if (!m) return NaN;
  const [first, second, y] = [Number(m[1]), Number(m[3]), Number(m[4])];
  const [mo, d] = order === 'mdy' ? [first, second] : [second, first];
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap(y) ? 29 : MONTH_DAYS[mo - 1])) return NaN;
  let h = m[5] === undefined ? 0 : Number(m[5]);
  const mi = m[6] === undefined ? 0 : Number(m[6]), s = m[7] === undefined ? 0 : Number(m[7]);
  if (m[8] !== undefined) {
    if (h < 1 || h > 12) return NaN;
    h = (h % 12) + (/p/i.test(m[8]) ? 12 : 0);
  }
  if (h > 23 || mi > 59 || s > 59) return NaN;
  return daysFromCivil(y, mo, d) + (h * 3600 + mi * 60 + s) / 86400;
}

/** A date as days since 1970-01-01: ISO 8601 text (parseDate), or written in `order`; NaN where it is none. */
export const parseDateIn = (text: string, order?: DateOrder): number => (order ? parseWritten(text, order) : parseDate(text));

/** Whether the two orders read text as different days (03/04/2024; not 03/03/2024, nor 13/04/2024, which one reads not at all). */
export const readsEither = (text: string): boolean => parseWritten(text, 'mdy') !== parseWritten(text, 'dmy');

/** Whether text is a date written day and month in one order or the other (WRITTEN_DATE, a real day). */
export const readsWritten = (text: string): boolean => parseWritten(text, 'mdy') === parseWritten(text, 'mdy') || parseWritten(text, 'dmy') === parseWritten(text, 'dmy');

/**
 * The order distinct texts are dates in, where every one is a date written with '/', '.' or '-' (WRITTEN_DATE): the one
 * order every one is a real date in; where both fit (no day above 12), day first for '.', as Europe writes dates,
 * and 'either' for '/' and '-' (03/04/2024: March 4 or April 3?). Null where some text is no such date.
 */
export function writtenOrder(texts: Iterable<string>): DateOrder | 'either' | null {
  let mdy = true, dmy = true, dots = true, any = false, differ = false;
  for (const text of texts) {
    const m = WRITTEN_DATE.exec(text.trim());
    if (!m) return null;
    any = true;
    if (m[2] !== '.') dots = false;
    const [a, b] = [parseWritten(text, 'mdy'), parseWritten(text, 'dmy')];
    if (a !== a) mdy = false;
    if (b !== b) dmy = false;
    if (a !== b) differ = true;
    if (!mdy && !dmy) return null;
  }
  if (!any) return null;
  // (Where every date has its day equal to its month, both orders read the same days.)
  return mdy && dmy ? (dots || !differ ? (dots ? 'dmy' : 'mdy') : 'either') : mdy ? 'mdy' : 'dmy';
}

/** How a DateOrder is written, for messages: "month/day/year (03/15/2024)". */
export const ORDER_NAMES: Readonly<Record<DateOrder, string>> = { mdy: 'month/day/year (03/15/2024)', dmy: 'day/month/year (15/03/2024)' };

/** Whether a day count has a time of day other than midnight. */
export const hasTime = (days: number): boolean => days !== Math.floor(days);

/** One part of a date given as days since 1970-01-01: year, month (1–12), weekday (Monday 0 … Sunday 6), hour (0–24, fractional) or the days themselves. */
export function datePart(days: number, part: DatePart): number {
  const whole = Math.floor(days);
  switch (part) {
    case 'days': return days;
    case 'hour': return (days - whole) * 24;
    // 1970-01-01 was a Thursday: weekday 3 with Monday 0.
    case 'weekday': return whole + 3 - 7 * Math.floor((whole + 3) / 7);
    case 'year': return civilFromDays(whole).year;
    case 'month': return civilFromDays(whole).month;
  }
}

/** The words for a part, for plan lines and input names. */
export const DATE_PART_NAMES: Readonly<Record<DatePart, string>> = {
  year: 'year', month: 'month', weekday: 'day of week', hour: 'hour', days: `days since ${DATE_REFERENCE}`,
};
