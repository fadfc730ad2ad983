// Regulations cited by several organizations, with the organizations citing each.
// Films, books and periodicals (kind not_regulation) are left out; internal rules are
// scoped to one organization and so never recur. Reads ORGANIZATION_CITES, the citations
// of each organization's notices counted at build time. Organizations are counted as
// nodes, not names: two organizations both written 市妇联 (in cities the notices do not
// place) are two, and `names` holds one name per organization counted.
//
// @param min_organizations int = 2  how many citing organizations make a regulation recurring
// @example
// title                 | kind             | organizations | names
// 中国共产党纪律处分条例 | party_regulation | 2             | [天津市妇女联合会, 政协桑植县委员会]
MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation'
WITH DISTINCT r, o
WITH r, count(o) AS organizations, collect(o.name) AS names
WHERE organizations >= $min_organizations
RETURN r.title AS title, r.kind AS kind, organizations, names
ORDER BY organizations DESC, title
