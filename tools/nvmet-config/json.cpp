// SPDX-License-Identifier: GPL-2.0
//
// json.cpp: recursive-descent JSON parser (RFC 8259) and emitter.

#include "json.h"

#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace json {

namespace {

[[noreturn]] void type_error(const char *want, Value::Type got)
{
	throw std::logic_error(std::string("json: expected ") + want + ", got " +
			       Value::type_name(got));
}

class Parser {
public:
	explicit Parser(const std::string &t) : s_(t) {}

	Value run()
	{
		skip_ws();
		Value v = value(0);
		skip_ws();
		if (pos_ != s_.size())
			fail("trailing characters after the JSON value");
		return v;
	}

private:
	static constexpr int max_depth = 64;
	const std::string &s_;
	size_t pos_ = 0;

	[[noreturn]] void fail(const std::string &msg) const { fail_at(msg, pos_); }

	[[noreturn]] void fail_at(const std::string &msg, size_t at) const
	{
		size_t line = 1, col = 1;
		for (size_t i = 0; i < at && i < s_.size(); i++) {
			if (s_[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		throw ParseError(msg, line, col);
	}

	bool eof() const { return pos_ >= s_.size(); }
	char peek() const { return eof() ? '\0' : s_[pos_]; }

	void skip_ws()
	{
		while (!eof() && (s_[pos_] == ' ' || s_[pos_] == '\t' ||
				  s_[pos_] == '\n' || s_[pos_] == '\r'))
			pos_++;
	}

	void expect(char c)
	{
		if (peek() != c)
			fail(std::string("expected '") + c + "'");
		pos_++;
	}

	void literal(const char *word)
	{
		size_t n = strlen(word);
		if (s_.compare(pos_, n, word) != 0)
			fail("invalid literal");
		pos_ += n;
	}

	Value value(int depth)
	{
		if (depth > max_depth)
			fail("nesting too deep");
		if (eof())
			fail("unexpected end of input");
		switch (peek()) {
		case '{': return object(depth);
		case '[': return array(depth);
		case '"': return Value(string());
		case 't': literal("true"); return Value(true);
		case 'f': literal("false"); return Value(false);
		case 'n': literal("null"); return Value();
		default:
			if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
				return number();
			fail(std::string("unexpected character '") + peek() + "'");
		}
	}

	Value object(int depth)
	{
		Value::Object o;
		expect('{');
		skip_ws();
		if (peek() == '}') {
			pos_++;
			return Value(std::move(o));
		}
		for (;;) {
			skip_ws();
			if (peek() != '"')
				fail("expected a string key");
			size_t at = pos_;
			std::string key = string();
			skip_ws();
			expect(':');
			skip_ws();
			Value v = value(depth + 1);
			if (!o.emplace(key, std::move(v)).second)
				fail_at("duplicate key \"" + key + "\"", at);
			skip_ws();
			if (peek() == ',') {
				pos_++;
				continue;
			}
			expect('}');
			return Value(std::move(o));
		}
	}

	Value array(int depth)
	{
		Value::Array a;
		expect('[');
		skip_ws();
		if (peek() == ']') {
			pos_++;
			return Value(std::move(a));
		}
		for (;;) {
			skip_ws();
			a.push_back(value(depth + 1));
			skip_ws();
			if (peek() == ',') {
				pos_++;
				continue;
			}
			expect(']');
			return Value(std::move(a));
		}
	}

	unsigned hex4()
	{
		if (pos_ + 4 > s_.size())
			fail("truncated \\u escape");
		unsigned v = 0;
		for (int i = 0; i < 4; i++) {
			char c = s_[pos_++];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v |= c - 'A' + 10;
			else
				fail("bad hex digit in \\u escape");
		}
		return v;
	}

	static void put_utf8(std::string &out, unsigned cp)
	{
		if (cp < 0x80) {
			out += char(cp);
		} else if (cp < 0x800) {
			out += char(0xc0 | (cp >> 6));
			out += char(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out += char(0xe0 | (cp >> 12));
			out += char(0x80 | ((cp >> 6) & 0x3f));
			out += char(0x80 | (cp & 0x3f));
		} else {
			out += char(0xf0 | (cp >> 18));
			out += char(0x80 | ((cp >> 12) & 0x3f));
			out += char(0x80 | ((cp >> 6) & 0x3f));
			out += char(0x80 | (cp & 0x3f));
		}
	}

	std::string string()
	{
		std::string out;
		expect('"');
		for (;;) {
			if (eof())
				fail("unterminated string");
			unsigned char c = s_[pos_];
			if (c == '"') {
				pos_++;
				return out;
			}
			if (c < 0x20)
				fail("control character in string");
			if (c != '\\') {
				out += char(c);
				pos_++;
				continue;
			}
			pos_++;
			if (eof())
				fail("unterminated escape");
			char e = s_[pos_++];
			switch (e) {
			case '"': out += '"'; break;
			case '\\': out += '\\'; break;
			case '/': out += '/'; break;
			case 'b': out += '\b'; break;
			case 'f': out += '\f'; break;
			case 'n': out += '\n'; break;
			case 'r': out += '\r'; break;
			case 't': out += '\t'; break;
			case 'u': {
				unsigned cp = hex4();
				if (cp >= 0xd800 && cp < 0xdc00) {
					if (s_.compare(pos_, 2, "\\u") != 0)
						fail("lone high surrogate");
					pos_ += 2;
					unsigned lo = hex4();
					if (lo < 0xdc00 || lo >= 0xe000)
						fail("bad low surrogate");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					fail("lone low surrogate");
				}
				put_utf8(out, cp);
				break;
			}
			default:
				fail(std::string("bad escape '\\") + e + "'");
			}
		}
	}

	Value number()
	{
		size_t start = pos_;
		bool is_int = true;
		if (peek() == '-')
			pos_++;
		if (peek() == '0') {
			pos_++;
		} else if (peek() >= '1' && peek() <= '9') {
			while (peek() >= '0' && peek() <= '9')
				pos_++;
		} else {
			fail("bad number");
		}
		if (peek() == '.') {
			is_int = false;
			pos_++;
			if (!(peek() >= '0' && peek() <= '9'))
				fail("bad number: digit expected after '.'");
			while (peek() >= '0' && peek() <= '9')
				pos_++;
		}
		if (peek() == 'e' || peek() == 'E') {
			is_int = false;
			pos_++;
			if (peek() == '+' || peek() == '-')
				pos_++;
			if (!(peek() >= '0' && peek() <= '9'))
				fail("bad number: digit expected in exponent");
			while (peek() >= '0' && peek() <= '9')
				pos_++;
		}
		std::string txt = s_.substr(start, pos_ - start);
		errno = 0;
		if (is_int) {
			long long v = strtoll(txt.c_str(), nullptr, 10);
			if (errno == 0)
				return Value(int64_t(v));
			errno = 0;	/* out of int64 range: keep as double */
		}
		double d = strtod(txt.c_str(), nullptr);
		if (errno == ERANGE && std::isinf(d))
			fail_at("number out of range", start);
		return Value(d);
	}
};

void escape(std::string &out, const std::string &s)
{
	out += '"';
	for (unsigned char c : s) {
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		default:
			if (c < 0x20) {
				char buf[8];
				snprintf(buf, sizeof(buf), "\\u%04x", c);
				out += buf;
			} else {
				out += char(c);
			}
		}
	}
	out += '"';
}

void emit(std::string &out, const Value &v, int indent, int level)
{
	auto newline = [&](int lvl) {
		if (indent < 0)
			return;
		out += '\n';
		out.append(size_t(indent) * lvl, ' ');
	};
	switch (v.type()) {
	case Value::Type::Null: out += "null"; break;
	case Value::Type::Bool: out += v.as_bool() ? "true" : "false"; break;
	case Value::Type::Int: out += std::to_string(v.as_int()); break;
	case Value::Type::Double: {
		double d = v.as_double();
		if (!std::isfinite(d)) {
			out += "null";
			break;
		}
		char buf[32];
		snprintf(buf, sizeof(buf), "%.17g", d);
		out += buf;
		if (!strpbrk(buf, ".eE"))
			out += ".0";
		break;
	}
	case Value::Type::String: escape(out, v.as_string()); break;
	case Value::Type::Array: {
		const auto &a = v.as_array();
		if (a.empty()) {
			out += "[]";
			break;
		}
		out += '[';
		for (size_t i = 0; i < a.size(); i++) {
			if (i)
				out += indent < 0 ? "," : ",";
			newline(level + 1);
			emit(out, a[i], indent, level + 1);
		}
		newline(level);
		out += ']';
		break;
	}
	case Value::Type::Object: {
		const auto &o = v.as_object();
		if (o.empty()) {
			out += "{}";
			break;
		}
		out += '{';
		bool first = true;
		for (const auto &kv : o) {
			if (!first)
				out += ',';
			first = false;
			newline(level + 1);
			escape(out, kv.first);
			out += indent < 0 ? ":" : ": ";
			emit(out, kv.second, indent, level + 1);
		}
		newline(level);
		out += '}';
		break;
	}
	}
}

} // namespace

const char *Value::type_name(Type t)
{
	switch (t) {
	case Type::Null: return "null";
	case Type::Bool: return "boolean";
	case Type::Int: return "integer";
	case Type::Double: return "number";
	case Type::String: return "string";
	case Type::Array: return "array";
	case Type::Object: return "object";
	}
	return "?";
}

bool Value::as_bool() const
{
	if (type_ != Type::Bool)
		type_error("boolean", type_);
	return b_;
}

int64_t Value::as_int() const
{
	if (type_ != Type::Int)
		type_error("integer", type_);
	return i_;
}

double Value::as_double() const
{
	if (type_ == Type::Int)
		return double(i_);
	if (type_ != Type::Double)
		type_error("number", type_);
	return d_;
}

const std::string &Value::as_string() const
{
	if (type_ != Type::String)
		type_error("string", type_);
	return s_;
}

const Value::Array &Value::as_array() const
{
	if (type_ != Type::Array)
		type_error("array", type_);
	return a_;
}

Value::Array &Value::as_array()
{
	if (type_ != Type::Array)
		type_error("array", type_);
	return a_;
}

const Value::Object &Value::as_object() const
{
	if (type_ != Type::Object)
		type_error("object", type_);
	return o_;
}

Value::Object &Value::as_object()
{
	if (type_ != Type::Object)
		type_error("object", type_);
	return o_;
}

const Value *Value::find(const std::string &key) const
{
	if (type_ != Type::Object)
		return nullptr;
	auto it = o_.find(key);
	return it == o_.end() ? nullptr : &it->second;
}

Value &Value::operator[](const std::string &key)
{
	if (type_ == Type::Null)
		type_ = Type::Object;
	return as_object()[key];
}

void Value::push_back(Value v)
{
	if (type_ == Type::Null)
		type_ = Type::Array;
	as_array().push_back(std::move(v));
}

bool Value::operator==(const Value &o) const
{
	if (type_ != o.type_)
		return false;
	switch (type_) {
	case Type::Null: return true;
	case Type::Bool: return b_ == o.b_;
	case Type::Int: return i_ == o.i_;
	case Type::Double: return d_ == o.d_;
	case Type::String: return s_ == o.s_;
	case Type::Array: return a_ == o.a_;
	case Type::Object: return o_ == o.o_;
	}
	return false;
}

Value parse(const std::string &text)
{
	return Parser(text).run();
}

std::string dump(const Value &v, int indent)
{
	std::string out;
	emit(out, v, indent, 0);
	return out;
}

} // namespace json
