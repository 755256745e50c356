/**
 * `GET /console/api/datasets/:type/quality`: the dataset's quality profile (src/plan/quality),
 * computed by its source on the caller's own view of it — the liaison's view of their own
 * department's data — with the engine's own access rule (src/privacy/quality-access.ts) and the
 * request's runtime budget; its reads of raw values are audited under the caller's subject.
 */
import { profileDatasets, type DatasetQuality } from '../../plan/quality/profile.js';
import { RequestAudit } from '../../privacy/audit.js';
import type { AdmittedRequest } from '../graphql-endpoint.js';
import { ConsoleRefusal, requireDepartment, type ConsoleUser } from './access.js';
import type { ConsoleContext } from './context.js';

export async function quality(admitted: AdmittedRequest, context: ConsoleContext, user: ConsoleUser, type: string): Promise<DatasetQuality> {
  const { mappings, views, roles } = context.gateway.served;
  const connector = mappings.find((mapping) => mapping.datasets.some((dataset) => dataset.typeName === type));
  if (!connector) throw new ConsoleRefusal(404, `no dataset ${type} is mapped`);
  requireDepartment(user, connector.department, `dataset ${type}`);
  const audit = new RequestAudit();
  // Through the request's memo: the profile's source queries are held to the request's deadline and rows.
  const [result] = await profileDatasets(views, roles, admitted.role, { datasets: [type], audit, memo: admitted.memo });
  const line = audit.line(admitted.role, admitted.caller.subject);
  if (line) context.audit(line);
  if (!result) throw new ConsoleRefusal(409, `dataset ${type} of source ${connector.name} is not being served to role ${admitted.role} (see its problems): there is no profile to compute`, connector.name);
  return result;
}
