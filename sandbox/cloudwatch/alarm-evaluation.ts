/**
 * The decision an alarm makes at one evaluation, as a pure function: given the datapoints of
 * its evaluation range (one slot per period, missing ones empty), the comparison, the
 * threshold, "M out of N" and TreatMissingData, which state it should be in and why.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export const ALARM_STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** The static-threshold operators; the anomaly-band ones are not emulated. */
export const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;

export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const TREAT_MISSING_DATA = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;

export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

/** One period of the evaluation range; `value` absent when the period had no data. */
export interface Slot {
  /** Period start, epoch ms. */
  readonly timestamp: number;
  readonly value?: number;
}

export interface AlarmEvaluationInput {
  readonly comparisonOperator: ComparisonOperator;
  readonly threshold: number;
  /** N: how many of the most recent slots are evaluated. */
  readonly evaluationPeriods: number;
  /** M: breaching slots needed for ALARM; defaults to N. */
  readonly datapointsToAlarm?: number;
  /** Defaults to `missing`. */
  readonly treatMissingData?: TreatMissingData;
  readonly currentState: AlarmState;
  /** Oldest first; only the last `evaluationPeriods` are used. */
  readonly slots: readonly Slot[];
}

export interface AlarmEvaluation {
  readonly state: AlarmState;
  /** CloudWatch-style StateReason for moving into `state`. */
  readonly reason: string;
  /** Slots counted as breaching (missing ones included when treated as breaching). */
  readonly breaching: number;
  readonly missing: number;
  /** The slots that had data, most recent first. */
  readonly recent: ReadonlyArray<Required<Slot>>;
}

const WORDS: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** Whether one value breaches the threshold. */
export const breaches = (op: ComparisonOperator, value: number, threshold: number): boolean => {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
};

/** `5.0`, `2.5`: CloudWatch always shows a decimal point in its reasons. */
const decimal = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n));

const pad = (n: number) => String(n).padStart(2, '0');

/** `25/11/26 12:00:00` (UTC), the date format of CloudWatch's state reasons. */
export const reasonDate = (timestamp: number): string => {
  const d = new Date(timestamp);
  return (
    `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Decides the alarm's state. With M breaching slots (missing ones counted per
 * TreatMissingData) → ALARM; otherwise OK — except that with no data at all `missing`
 * gives INSUFFICIENT_DATA and `ignore` keeps the current state.
 */
export const evaluateAlarmState = (input: AlarmEvaluationInput): AlarmEvaluation => {
  const n = input.evaluationPeriods;
  const m = input.datapointsToAlarm ?? n;
  const treat = input.treatMissingData ?? 'missing';
  const slots = input.slots.slice(-n);
  const missing = n - slots.filter((s) => s.value !== undefined).length;
  const recent = slots.filter((s): s is Required<Slot> => s.value !== undefined).reverse();
  const breachingPresent = recent.filter((s) =>
    breaches(input.comparisonOperator, s.value, input.threshold),
  ).length;
  const breaching = breachingPresent + (treat === 'breaching' ? missing : 0);

  if (recent.length === 0 && treat === 'missing') {
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`,
      breaching,
      missing,
      recent,
    };
  }
  if (recent.length === 0 && treat === 'ignore') {
    return {
      state: input.currentState,
      reason: `No datapoints in the last ${plural(n, 'period')}; missing data is ignored, state kept.`,
      breaching,
      missing,
      recent,
    };
  }
  const state: AlarmState = breaching >= m ? 'ALARM' : 'OK';
  const shown = recent.map((s) => `${decimal(s.value)} (${reasonDate(s.timestamp)})`).join(', ');
  const counted =
    state === 'ALARM'
      ? breaching
      : recent.length - breachingPresent + (treat === 'notBreaching' ? missing : 0);
  const verb = counted === 1 ? 'was' : 'were';
  const not = state === 'OK' ? 'not ' : '';
  const missingNote =
    missing > 0 && (treat === 'breaching' || treat === 'notBreaching')
      ? ` (${plural(missing, 'missing datapoint')} treated as ${treat === 'breaching' ? 'breaching' : 'not breaching'})`
      : '';
  const need = state === 'ALARM' ? m : n - m + 1;
  return {
    state,
    reason:
      `Threshold Crossed: ${counted} out of the last ${n} datapoints [${shown}] ${verb} ${not}` +
      `${WORDS[input.comparisonOperator]} the threshold (${decimal(input.threshold)})${missingNote} ` +
      `(minimum ${plural(need, 'datapoint')} for ${input.currentState} -> ${state} transition).`,
    breaching,
    missing,
    recent,
  };
};
