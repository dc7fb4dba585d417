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
