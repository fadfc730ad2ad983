// Regulations cited by several organizations, with the organizations citing each.
// Films, books and periodicals (kind not_regulation) are left out; internal rules are
// scoped to one organization and so never recur. Reads ORGANIZATION_CITES, the citations
// of each organization's notices counted at build time.
//
// @param min_organizations int = 2  how many citing organizations make a regulation recurring
// @example
// title                 | kind             | organizations | names
// 中国共产党纪律处分条例 | party_regulation | 2             | [天津市妇女联合会, 政协桑植县委员会]
MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation'
WITH r, collect(DISTINCT o.name) AS names
WHERE size(names) >= $min_organizations
RETURN r.title AS title, r.kind AS kind, size(names) AS organizations, names
ORDER BY organizations DESC, title
