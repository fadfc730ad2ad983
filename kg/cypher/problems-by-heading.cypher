// The headings problems are filed under in each notice, with their problem counts.
// Problems carry their organization (set at build time): one scan, no walk through notices.
// An organization is its node (organization_key): organizations of the same name stay apart.
//
// @param organization string = ""  one organization's full name; empty for all
// @example
// organization     | organization_key | heading                                     | problems
// 政协桑植县委员会  | 政协桑植县委员会  | 财经纪律执行不严格,报账程序不规范             | 2
MATCH (p:Problem)
WHERE p.organization IS NOT NULL
WITH p.organization AS key, coalesce(p.heading, '') AS heading, count(*) AS problems
MATCH (o:Organization {key: key})
WHERE $organization = '' OR o.name = $organization
RETURN o.name AS organization, o.key AS organization_key, heading, problems
ORDER BY organization, organization_key, problems DESC, heading
