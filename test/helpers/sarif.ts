// Validation against the SARIF 2.1.0 JSON schema, as Microsoft ships it with @microsoft/jest-sarif (the
// schema only: its matcher needs packages it does not declare).
import Ajv from 'ajv';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SCHEMA = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DRAFT_04 = require('ajv/lib/refs/json-schema-draft-04.json');

const ajv = new Ajv({ schemaId: 'auto', allErrors: true });
ajv.addMetaSchema(DRAFT_04);
const validate = ajv.compile(SCHEMA);

/** The schema's complaints about `log`, one per line; '' when it is valid. */
export function sarifErrors(log: unknown): string {
  return validate(log) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}
