// SPDX-License-Identifier: GPL-2.0
//
// json.h: a small JSON value type with a strict parser and an emitter.
//
// Written for tools/nvmet-config: objects keep their keys sorted (std::map),
// which is what nvmetcli's files use, so save -> load -> save is stable.
// Integers are kept exactly (int64); other numbers as double.  The parser
// rejects trailing garbage, duplicate keys, bad escapes, control characters
// in strings and nesting deeper than 64 levels, and reports line:column.

#ifndef NVME_TOOLS_JSON_H
#define NVME_TOOLS_JSON_H

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace json {

class ParseError : public std::runtime_error {
public:
	ParseError(const std::string &msg, size_t line, size_t col)
		: std::runtime_error(msg + " at line " + std::to_string(line) +
				     ", column " + std::to_string(col)),
		  line_(line), col_(col) {}
	size_t line() const { return line_; }
	size_t col() const { return col_; }

private:
	size_t line_, col_;
};

class Value {
public:
	enum class Type { Null, Bool, Int, Double, String, Array, Object };
	using Array = std::vector<Value>;
	using Object = std::map<std::string, Value>;

	Value() = default;
	Value(std::nullptr_t) {}
	Value(bool b) : type_(Type::Bool), b_(b) {}
	Value(int i) : type_(Type::Int), i_(i) {}
	Value(int64_t i) : type_(Type::Int), i_(i) {}
	Value(double d) : type_(Type::Double), d_(d) {}
	Value(const char *s) : type_(Type::String), s_(s) {}
	Value(std::string s) : type_(Type::String), s_(std::move(s)) {}
	Value(Array a) : type_(Type::Array), a_(std::move(a)) {}
	Value(Object o) : type_(Type::Object), o_(std::move(o)) {}

	static Value array() { return Value(Array{}); }
	static Value object() { return Value(Object{}); }

	Type type() const { return type_; }
	bool is_null() const { return type_ == Type::Null; }
	bool is_bool() const { return type_ == Type::Bool; }
	bool is_int() const { return type_ == Type::Int; }
	bool is_number() const { return type_ == Type::Int || type_ == Type::Double; }
	bool is_string() const { return type_ == Type::String; }
	bool is_array() const { return type_ == Type::Array; }
	bool is_object() const { return type_ == Type::Object; }

	// Accessors throw std::logic_error on a type mismatch.
	bool as_bool() const;
	int64_t as_int() const;
	double as_double() const;
	const std::string &as_string() const;
	const Array &as_array() const;
	Array &as_array();
	const Object &as_object() const;
	Object &as_object();

	// Object helpers: find() returns nullptr when absent (or not an object).
	const Value *find(const std::string &key) const;
	Value &operator[](const std::string &key);	// makes this an object
	void push_back(Value v);			// makes this an array

	bool operator==(const Value &o) const;
	bool operator!=(const Value &o) const { return !(*this == o); }

	static const char *type_name(Type t);

private:
	Type type_ = Type::Null;
	bool b_ = false;
	int64_t i_ = 0;
	double d_ = 0;
	std::string s_;
	Array a_;
	Object o_;
};

// parse: the whole text must be one JSON value (whitespace around it).
Value parse(const std::string &text);

// dump: indent < 0 gives the compact form; otherwise nvmetcli's layout
// (json.dumps(sort_keys=True, indent=N)): ", " never, "," + newline between
// items, ": " after keys, "[]" / "{}" for empty containers.
std::string dump(const Value &v, int indent = 2);

} // namespace json

#endif
