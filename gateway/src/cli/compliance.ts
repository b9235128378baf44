import { complianceFacts, COMPLIANCE_DOCUMENTS, isComplianceDocument } from '../compliance/index.js';
import { parseCommandLine, UsageError, type Command } from './command.js';

/** `gateway compliance <document>`: Markdown on stdout, from the settings as every operator command reads them. */
export const compliance: Command = {
  help: `  compliance record|dpia|processor-clauses|notice
                              Print (Markdown, French and English) the record of processing, the DPIA, the
                              host's art. 28 clauses or the patients' notice, from the settings
                              (GATEWAY_COMPLIANCE_*, GATEWAY_RETENTION_*…); blanks mark what the chain fills
`,
  async run(argv, ctx) {
    const { positionals } = parseCommandLine(argv, {});
    const [name, ...rest] = positionals;
    if (!isComplianceDocument(name) || rest.length > 0) throw new UsageError(`Usage: gateway compliance ${Object.keys(COMPLIANCE_DOCUMENTS).join('|')}`);
    const { settings, production } = ctx.settings();
    ctx.stdout(COMPLIANCE_DOCUMENTS[name](complianceFacts(settings, production)));
    return 0;
  },
};
