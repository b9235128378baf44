/** An OperationOutcome issue as the simulator answers it: a FHIR IssueType code and the path at fault, never a value. */
export interface OutcomeIssue {
  severity: 'error';
  code: string;
  expression: string[];
}

export function issue(code: string, expression: string): OutcomeIssue {
  return { severity: 'error', code, expression: [expression] };
}
