import Testing

@testable import Storage

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesCommentsAndDollarBodies() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'semi;colon', "we;ird" int);
            /* block; comment */
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 2; END $body$;
            INSERT INTO a VALUES ('it''s; fine', 1)
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 4)
        #expect(statements[0] == "CREATE TABLE a (x text DEFAULT 'semi;colon', \"we;ird\" int)")
        #expect(statements[1].hasSuffix("$$ SELECT 1; $$"))
        #expect(statements[2].contains("$body$ BEGIN RETURN 2; END $body$"))
        #expect(statements[3] == "INSERT INTO a VALUES ('it''s; fine', 1)")
    }

    @Test func commentOnlyFileHasNoStatements() {
        #expect(SQLScript.statements(in: "-- nothing\n/* here */\n;;\n").isEmpty)
    }

    @Test func positionalParametersAreNotDollarQuotes() {
        let statements = SQLScript.statements(in: "SELECT $1; SELECT 2")
        #expect(statements == ["SELECT $1", "SELECT 2"])
    }
}
