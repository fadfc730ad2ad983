// What each organization did with the regulations it cites: newly issued, revised,
// enforced or only studied. One row per organization and action. Reads ORGANIZATION_CITES,
// the citations of each organization's notices counted at build time. An organization is
// its node (organization_key): organizations of the same name stay apart.
//
// @param organization string = ""  one organization's full name; empty for all
// @example
// organization   | organization_key | action  | regulations | titles
// 东营市总工会    | 东营市总工会      | issued  | 10          | [2024年全市基层工作安排, …]
// 东营市总工会    | 东营市总工会      | studied | 9           | [中华人民共和国工会法, …]
MATCH (o:Organization)-[c:ORGANIZATION_CITES]->(r:Regulation)
WHERE ($organization = '' OR o.name = $organization) AND c.action IS NOT NULL AND r.kind <> 'not_regulation'
WITH o, c.action AS action, collect(DISTINCT r.title) AS titles
RETURN o.name AS organization, o.key AS organization_key, action, size(titles) AS regulations, titles
ORDER BY organization, organization_key, action
