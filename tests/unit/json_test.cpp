// SPDX-License-Identifier: GPL-2.0
//
// Unit tests for tools/nvmet-config/json.{h,cpp}.

#include "json.h"

#include <gtest/gtest.h>

using json::Value;

TEST(Json, ParsesScalars)
{
	EXPECT_TRUE(json::parse("null").is_null());
	EXPECT_EQ(json::parse(" true ").as_bool(), true);
	EXPECT_EQ(json::parse("false").as_bool(), false);
	EXPECT_EQ(json::parse("0").as_int(), 0);
	EXPECT_EQ(json::parse("-42").as_int(), -42);
	EXPECT_EQ(json::parse("9223372036854775807").as_int(), INT64_MAX);
	EXPECT_TRUE(json::parse("9223372036854775808").is_number());
	EXPECT_FALSE(json::parse("9223372036854775808").is_int());
	EXPECT_DOUBLE_EQ(json::parse("1.5e3").as_double(), 1500.0);
	EXPECT_EQ(json::parse("\"a\\\"b\\\\c\\/d\\n\"").as_string(), "a\"b\\c/d\n");
}

TEST(Json, Unicode)
{
	EXPECT_EQ(json::parse("\"\\u00e9\"").as_string(), "\xc3\xa9");
	EXPECT_EQ(json::parse("\"\\u20ac\"").as_string(), "\xe2\x82\xac");
	EXPECT_EQ(json::parse("\"\\ud83d\\ude00\"").as_string(), "\xf0\x9f\x98\x80");
	EXPECT_EQ(json::parse("\"\xc3\xa9\"").as_string(), "\xc3\xa9");
	EXPECT_THROW(json::parse("\"\\ud83d\""), json::ParseError);
	EXPECT_THROW(json::parse("\"\\ude00\""), json::ParseError);
	EXPECT_THROW(json::parse("\"\\u12g4\""), json::ParseError);
}

TEST(Json, Containers)
{
	Value v = json::parse("{\"b\": [1, 2, {\"c\": null}], \"a\": {}}");
	ASSERT_TRUE(v.is_object());
	EXPECT_EQ(v.find("b")->as_array().size(), 3u);
	EXPECT_TRUE(v.find("b")->as_array()[2].find("c")->is_null());
	EXPECT_TRUE(v.find("a")->as_object().empty());
	EXPECT_EQ(v.find("zz"), nullptr);
}

TEST(Json, Errors)
{
	const char *bad[] = {
		"", "   ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "01", "1.",
		"1e", "-", "+1", "tru", "nul", "\"abc", "\"a\nb\"", "\"\\x\"", "{1:2}",
		"[1] x", "{\"a\":1,\"a\":2}", "'a'", "NaN", "1e999",
	};
	for (const char *s : bad)
		EXPECT_THROW(json::parse(s), json::ParseError) << "input: " << s;
}

TEST(Json, ErrorPosition)
{
	try {
		json::parse("{\n  \"a\": 1,\n  \"b\": ]\n}");
		FAIL() << "no error";
	} catch (const json::ParseError &e) {
		EXPECT_EQ(e.line(), 3u);
		EXPECT_EQ(e.col(), 8u);
		EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos);
	}
}

TEST(Json, DepthLimit)
{
	std::string deep(100, '[');
	deep += std::string(100, ']');
	EXPECT_THROW(json::parse(deep), json::ParseError);
	std::string ok(60, '[');
	ok += std::string(60, ']');
	EXPECT_NO_THROW(json::parse(ok));
}

TEST(Json, DumpLayoutMatchesNvmetcli)
{
	Value v = Value::object();
	v["ports"] = Value::array();
	v["hosts"] = Value::array();
	v["hosts"].push_back(Value::object());
	v["hosts"].as_array()[0]["nqn"] = "h1";
	v["subsystems"] = Value::object();
	v["n"] = 3;
	EXPECT_EQ(json::dump(v, 2),
		  "{\n"
		  "  \"hosts\": [\n"
		  "    {\n"
		  "      \"nqn\": \"h1\"\n"
		  "    }\n"
		  "  ],\n"
		  "  \"n\": 3,\n"
		  "  \"ports\": [],\n"
		  "  \"subsystems\": {}\n"
		  "}");
	EXPECT_EQ(json::dump(v, -1),
		  "{\"hosts\":[{\"nqn\":\"h1\"}],\"n\":3,\"ports\":[],\"subsystems\":{}}");
}

TEST(Json, RoundTrip)
{
	const char *text = "{\"a\": [true, false, null, -1, 2.5, \"x\\u0001\\t\"], "
			   "\"b\": {\"c\": \"\xe2\x82\xac\"}}";
	Value v = json::parse(text);
	EXPECT_EQ(json::parse(json::dump(v, 2)), v);
	EXPECT_EQ(json::parse(json::dump(v, -1)), v);
	EXPECT_NE(json::dump(v, -1).find("\\u0001"), std::string::npos);
}

TEST(Json, TypeMismatchThrows)
{
	Value v = json::parse("[1]");
	EXPECT_THROW(v.as_object(), std::logic_error);
	EXPECT_THROW(v.as_array()[0].as_string(), std::logic_error);
}
