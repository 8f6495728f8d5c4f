import { describe, expect, it } from "vitest";
import {
  currencyDecimals,
  decimalToMicros,
  fitsMinorUnit,
  isCurrencyCode,
  microsToDecimal,
} from "../src/domain/money.ts";

describe("money arithmetic is exact", () => {
  it.each([
    ["12.50", 12_500_000n],
    ["0.000001", 1n],
    ["-3", -3_000_000n],
    ["999999999.99", 999_999_999_990_000n],
  ])("reads %s as %s micros", (text, micros) => {
    expect(decimalToMicros(text)).toBe(micros);
  });

  it("refuses text that is not a plain decimal, or is finer than a micro, saying which", () => {
    for (const text of ["", "1e3", "12,50", " 1", "0x10", "1.", ".5", "NaN"]) {
      expect(() => decimalToMicros(text)).toThrow(new RangeError(`"${text}" is not a decimal number`));
    }
    expect(() => decimalToMicros("1.0000001")).toThrow(new RangeError("has more than 6 decimals"));
  });

  it("prints amounts with each currency's own decimals", () => {
    expect(microsToDecimal(12_500_000n, "EUR")).toBe("12.50");
    expect(microsToDecimal(1_200_000_000n, "JPY")).toBe("1200");
    expect(microsToDecimal(1_234_000n, "BHD")).toBe("1.234");
    expect(microsToDecimal(0n, "USD")).toBe("0.00");
    expect(microsToDecimal(-12_500_000n, "EUR")).toBe("-12.50");
    expect(microsToDecimal(-500_000n, "EUR")).toBe("-0.50");
  });

  it("knows ISO 4217 codes and their minor units", () => {
    expect(isCurrencyCode("EUR")).toBe(true);
    expect(isCurrencyCode("XYZ")).toBe(false);
    expect(currencyDecimals("JPY")).toBe(0);
    expect(fitsMinorUnit(12_500_000n, "EUR")).toBe(true);
    expect(fitsMinorUnit(12_505_000n, "EUR")).toBe(false);
    expect(fitsMinorUnit(1_500_000n, "JPY")).toBe(false);
  });

  it("survives amounts far beyond float precision", () => {
    const text = "123456789.123456";
    expect(microsToDecimal(decimalToMicros(text), "CLF")).toBe("123456789.1234");
    expect(decimalToMicros(text).toString()).toBe("123456789123456");
  });
});
