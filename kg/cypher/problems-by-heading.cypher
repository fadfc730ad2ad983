// The headings problems are filed under in each notice, with their problem counts.
// Problems carry their organization (set at build time): one scan, no walk through notices.
//
// @param organization string = ""  one organization's full name; empty for all
// @example
// organization     | heading                                     | problems
// 政协桑植县委员会  | 财经纪律执行不严格,报账程序不规范             | 2
MATCH (p:Problem)
WHERE p.organization IS NOT NULL
WITH p.organization AS key, coalesce(p.heading, '') AS heading, count(*) AS problems
MATCH (o:Organization {key: key})
WHERE $organization = '' OR o.name = $organization
RETURN o.name AS organization, heading, sum(problems) AS problems
ORDER BY organization, problems DESC, heading
