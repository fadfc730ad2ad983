// Organizations by province and region, with the number of their notices.
//
// @example
// province | region  | level  | organization     | organization_key | documents
// 湖南省    | 桑植县  | county | 政协桑植县委员会  | 政协桑植县委员会  | 1
MATCH (o:Organization)-[:LOCATED_IN]->(g:Region)
OPTIONAL MATCH (o)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(d:Document)
RETURN g.province AS province, g.name AS region, g.level AS level, o.name AS organization,
       o.key AS organization_key, count(DISTINCT d) AS documents
ORDER BY province, region, organization
