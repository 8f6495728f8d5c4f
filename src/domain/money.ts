import { ValidationError } from "../errors.ts";

/**
 * Money without floats. Amounts travel as decimal strings ("12.50") and are stored as integer
 * micros (millionths of the currency unit), one scale for every currency so that ordering and
 * range filters compare amounts directly. The number of decimals a currency allows comes from
 * ISO 4217 as the runtime's ICU data knows it (EUR 2, JPY 0, BHD 3).
 */

const MICROS_PER_UNIT = 1_000_000n;
const MICROS_DIGITS = 6;
/** Largest accepted amount: far above any catalog price, far below BigInt/SQLite limits. */
export const MAX_AMOUNT_UNITS = 1_000_000_000n;

const knownCurrencies = new Set(Intl.supportedValuesOf("currency"));

export function isCurrencyCode(code: string): boolean {
  return knownCurrencies.has(code);
}

export function currencyDecimals(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits as number;
}

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

export function isDecimalString(value: string): boolean {
  return decimalPattern.test(value);
}

/** "12.50" → 12_500_000n. Throws RangeError when the text is not a decimal or needs more than 6 decimals. */
export function decimalToMicros(value: string): bigint {
  const match = decimalPattern.exec(value);
  if (!match) throw new RangeError(`"${value}" is not a decimal number`);
  const [, sign, whole = "0", fraction = ""] = match;
  if (fraction.length > MICROS_DIGITS) throw new RangeError("has more than 6 decimals");
  const micros = BigInt(whole) * MICROS_PER_UNIT + BigInt(fraction.padEnd(MICROS_DIGITS, "0"));
  return sign === "-" ? -micros : micros;
}

/** 12_500_000n, "EUR" → "12.50": always the currency's own number of decimals. */
export function microsToDecimal(micros: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = micros < 0n;
  const absolute = negative ? -micros : micros;
  const whole = absolute / MICROS_PER_UNIT;
  const fraction = (absolute % MICROS_PER_UNIT).toString().padStart(MICROS_DIGITS, "0");
  const shown = decimals === 0 ? "" : `.${fraction.slice(0, decimals)}`;
  return `${negative ? "-" : ""}${whole}${shown}`;
}

/** Whether an amount is a whole number of the currency's minor unit (12.50 EUR yes, 12.505 EUR no). */
export function fitsMinorUnit(micros: bigint, currency: string): boolean {
  return micros % 10n ** BigInt(MICROS_DIGITS - currencyDecimals(currency)) === 0n;
}

/**
 * Amounts must be whole numbers of the currency's minor unit: 12.50 EUR, not 12.505 EUR. Checked
 * on the amounts as they will be stored, so a currency change is checked against both prices.
 * A ValidationError names the first field that does not fit.
 */
export function checkMinorUnits(amounts: { price: bigint; costPrice?: bigint | null }, currency: string) {
  for (const [field, micros] of Object.entries(amounts)) {
    if (micros != null && !fitsMinorUnit(micros, currency)) {
      throw ValidationError.forField(field, `has more decimals than ${currency} allows`);
    }
  }
}
