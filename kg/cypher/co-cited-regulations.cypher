// Pairs of regulations cited together in the same notices, most frequent first.
//
// @param min_documents int = 2  how many shared notices a pair needs
// @example
// first                          | second              | documents
// 关于新形势下党内政治生活的若干准则 | 中国共产党党组工作条例 | 2
MATCH (a:Regulation)<-[:CITES]-(d:Document)-[:CITES]->(b:Regulation)
WHERE a.title < b.title AND a.kind <> 'not_regulation' AND b.kind <> 'not_regulation'
WITH a.title AS first, b.title AS second, count(DISTINCT d) AS documents
WHERE documents >= $min_documents
RETURN first, second, documents
ORDER BY documents DESC, first, second
