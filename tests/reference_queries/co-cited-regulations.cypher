MATCH (a:Regulation)<-[:CITES]-(d:Document)-[:CITES]->(b:Regulation)
WHERE a.title < b.title AND a.kind <> 'not_regulation' AND b.kind <> 'not_regulation'
WITH a, b, count(DISTINCT d) AS documents
WHERE documents >= $min_documents
RETURN a.title AS first, b.title AS second, documents
ORDER BY documents DESC, first, second
LIMIT $limit
