/**
 * How long a card lasts at a write volume. An SD card's maker rarely states
 * its endurance as bytes written; this assumes one, says which, and takes
 * another from --endurance-tb.
 */

/**
 * 32 GB of TLC flash × 500 program/erase cycles (the low end of what TLC NAND
 * is specified for) ÷ a write amplification of 2 inside the card (small
 * random writes on a card's simple controller) ≈ 8 TB written. An assumption
 * for a typical 32 GB card, not a maker's rating.
 */
export const DEFAULT_ENDURANCE_BYTES = 8e12;
export const ENDURANCE_SOURCE = 'assumed: 32 GB TLC card × 500 P/E cycles ÷ in-card write amplification 2 ≈ 8 TB written (not a maker\'s rating; set --endurance-tb)';

const DAY_SECONDS = 86_400;

/** Bytes written per day at `msgsPerSecond` all day long. */
export function dailyBytes(bytesPerMessage: number, msgsPerSecond: number): number {
  return Math.max(0, bytesPerMessage) * Math.max(0, msgsPerSecond) * DAY_SECONDS;
}

/** Years until `enduranceBytes` are written at `perDay` bytes a day; null when nothing is written. */
export function yearsToEndurance(enduranceBytes: number, perDay: number): number | null {
  if (!(perDay > 0) || !(enduranceBytes > 0)) return null;
  return enduranceBytes / perDay / 365.25;
}
