// SPDX-License-Identifier: GPL-2.0
//
// Unit tests for tools/nvmet-config against a fake nvmet configfs tree in
// a temporary directory. FakeConfigfs mimics what the kernel does that a
// plain directory does not: mkdir creates an object's attribute files and
// default groups, rmdir takes them away again (and refuses while the user
// still has children in there), and a few writes are refused the way nvmet
// refuses them.

#include "json.h"
#include "nvmet_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using json::Value;
using nvmetcfg::Error;
using nvmetcfg::PosixFs;
using nvmetcfg::Warnings;

namespace {

std::vector<std::string> split(const std::string &p)
{
	std::vector<std::string> v;
	size_t s = 0;
	for (;;) {
		size_t e = p.find('/', s);
		v.push_back(p.substr(s, e - s));
		if (e == std::string::npos)
			return v;
		s = e + 1;
	}
}

class FakeConfigfs : public PosixFs {
public:
	explicit FakeConfigfs(const std::string &root, bool create = true) : PosixFs(root)
	{
		if (!create)
			return;
		for (const char *d : {"subsystems", "ports", "hosts"})
			fs::create_directories(abs(d));
	}

	bool lacks_qid_max = false;	// an older kernel
	int mkdirs = 0;

	void mkdir(const std::string &rel) override
	{
		PosixFs::mkdir(rel);
		mkdirs++;
		auto p = split(rel);
		if (p.size() == 2 && p[0] == "subsystems") {
			file(rel, "attr_allow_any_host", "0");
			file(rel, "attr_serial", "1234abcd");
			file(rel, "attr_model", "Linux");
			file(rel, "attr_version", "1.3");
			file(rel, "attr_cntlid_min", "1");
			file(rel, "attr_cntlid_max", "65519");
			file(rel, "attr_pi_enable", "0");
			if (!lacks_qid_max)
				file(rel, "attr_qid_max", "128");
			fs::create_directory(abs(rel + "/namespaces"));
			fs::create_directory(abs(rel + "/allowed_hosts"));
			fs::create_directory(abs(rel + "/passthru"));
			file(rel + "/passthru", "device_path", "");
			file(rel + "/passthru", "enable", "0");
			file(rel + "/passthru", "clear_ids", "1");
		} else if (p.size() == 4 && p[2] == "namespaces") {
			file(rel, "device_path", "");
			file(rel, "device_uuid", "00000000-0000-0000-0000-000000000000");
			file(rel, "device_nguid", "00000000-0000-0000-0000-000000000000");
			file(rel, "enable", "0");
			file(rel, "buffered_io", "0");
			file(rel, "ana_grpid", "1");
			file(rel, "revalidate_size", "", 0200);
		} else if (p.size() == 2 && p[0] == "ports") {
			addr(rel);
			file(rel, "param_inline_data_size", "-1");
			file(rel, "addr_tsas", "none", 0444);	// read-only: not saved
			fs::create_directory(abs(rel + "/subsystems"));
			fs::create_directory(abs(rel + "/referrals"));
			fs::create_directory(abs(rel + "/ana_groups"));
			PosixFs::mkdir(rel + "/ana_groups/1");
			file(rel + "/ana_groups/1", "ana_state", "optimized");
		} else if (p.size() == 4 && p[2] == "referrals") {
			addr(rel);
			file(rel, "enable", "0");
			file(rel, "portid", "0");
		} else if (p.size() == 4 && p[2] == "ana_groups") {
			file(rel, "ana_state", "optimized");
		} else if (p.size() == 2 && p[0] == "hosts") {
			file(rel, "dhchap_key", "");
		}
	}

	void rmdir(const std::string &rel) override
	{
		auto p = split(rel);
		std::vector<std::string> busy;
		if (p.size() == 2 && p[0] == "subsystems")
			busy = {"namespaces", "allowed_hosts"};
		else if (p.size() == 2 && p[0] == "ports")
			busy = {"subsystems", "referrals"};
		for (const auto &b : busy)
			if (!list(rel + "/" + b).empty())
				throw Error("cannot remove " + abs(rel) + ": Directory not empty");
		if (p.size() == 2 && p[0] == "ports" && list(rel + "/ana_groups").size() > 1)
			throw Error("cannot remove " + abs(rel) + ": Directory not empty");
		if (p.size() == 4 && p[2] == "ana_groups" && p[3] == "1")
			throw Error("cannot remove " + abs(rel) + ": Operation not permitted");
		if (p.size() == 4 && p[2] == "namespaces" && read(rel + "/enable") == "1")
			throw Error("namespace removed while enabled (the kernel would allow it, the tests do not)");
		fs::remove_all(abs(rel));
	}

	void write(const std::string &rel, const std::string &value) override
	{
		auto p = split(rel);
		const std::string &name = p.back();
		auto einval = [&] {
			throw Error("cannot write \"" + value + "\" to " + abs(rel) + ": Invalid argument");
		};
		if (p.size() == 5 && p[2] == "namespaces") {
			std::string dir = rel.substr(0, rel.rfind('/'));
			if (name == "enable") {
				if (value != "0" && value != "1")
					einval();
				if (value == "1" && read(dir + "/device_path").empty())
					einval();
			} else if (read(dir + "/enable") == "1") {
				throw Error("cannot write to " + abs(rel) + ": Device or resource busy");
			}
			if (name == "ana_grpid" && value != "1") {
				bool found = false;
				for (const auto &port : list("ports"))
					found |= is_dir("ports/" + port + "/ana_groups/" + value);
				if (!found)
					einval();
			}
		}
		if (p[0] == "ports" && p.size() == 3) {
			if (!list("ports/" + p[1] + "/subsystems").empty())
				throw Error("cannot write to " + abs(rel) + ": Permission denied");
			if (name == "addr_trtype" &&
			    value != "tcp" && value != "rdma" && value != "loop" && value != "fc")
				einval();
		}
		if (name.compare(0, 11, "attr_cntlid") == 0 || name == "attr_qid_max") {
			if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
				einval();
		}
		PosixFs::write(rel, value);
	}

	void symlink(const std::string &target, const std::string &rel) override
	{
		auto p = split(rel);
		if (p[0] == "ports" && read("ports/" + p[1] + "/addr_trtype").empty())
			throw Error("cannot link " + abs(rel) + ": Invalid argument");
		if (!is_dir(target))
			throw Error("cannot link " + abs(rel) + ": No such file or directory");
		PosixFs::symlink(target, rel);
	}

private:
	void file(const std::string &dir, const std::string &name, const std::string &v,
		  mode_t mode = 0644)
	{
		std::string path = abs(dir + "/" + name);
		std::ofstream(path) << v << (v.empty() ? "" : "\n");
		chmod(path.c_str(), mode);
	}

	void addr(const std::string &rel)
	{
		file(rel, "addr_adrfam", "");
		file(rel, "addr_traddr", "");
		file(rel, "addr_treq", "not specified");
		file(rel, "addr_trsvcid", "");
		file(rel, "addr_trtype", "");
	}
};

class NvmetConfig : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/nvmet-config-test.XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		cfs_ = std::make_unique<FakeConfigfs>(dir_ + "/nvmet");
	}
	void TearDown() override { fs::remove_all(dir_); }

	// The tree an admin would make by hand (what lib-nvmet.sh does).
	void build_tree()
	{
		FakeConfigfs &f = *cfs_;
		f.mkdir("hosts/nqn.2014-08.org.example:host1");
		f.mkdir("subsystems/nqn.2014-08.org.example:s1");
		f.write("subsystems/nqn.2014-08.org.example:s1/attr_serial", "serial-1");
		f.write("subsystems/nqn.2014-08.org.example:s1/attr_cntlid_min", "10");
		f.mkdir("subsystems/nqn.2014-08.org.example:s1/namespaces/1");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/1/device_path", "/dev/nullb0");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/1/enable", "1");
		f.mkdir("subsystems/nqn.2014-08.org.example:s1/namespaces/12");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/12/device_path", "/tmp/f.img");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/12/buffered_io", "1");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/12/enable", "1");
		f.mkdir("subsystems/nqn.2014-08.org.example:s1/namespaces/3");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/3/device_path", "/tmp/off.img");
		f.symlink("hosts/nqn.2014-08.org.example:host1",
			  "subsystems/nqn.2014-08.org.example:s1/allowed_hosts/nqn.2014-08.org.example:host1");
		f.mkdir("subsystems/nqn.2014-08.org.example:open");
		f.write("subsystems/nqn.2014-08.org.example:open/attr_allow_any_host", "1");
		f.mkdir("ports/2");
		f.write("ports/2/addr_trtype", "tcp");
		f.write("ports/2/addr_adrfam", "ipv4");
		f.write("ports/2/addr_traddr", "127.0.0.1");
		f.write("ports/2/addr_trsvcid", "4420");
		f.mkdir("ports/2/ana_groups/5");
		f.write("ports/2/ana_groups/5/ana_state", "inaccessible");
		f.mkdir("ports/2/referrals/ref1");
		f.write("ports/2/referrals/ref1/addr_trtype", "tcp");
		f.write("ports/2/referrals/ref1/addr_traddr", "10.0.0.9");
		f.write("ports/2/referrals/ref1/enable", "1");
		f.mkdir("ports/10");
		f.write("ports/10/addr_trtype", "loop");
		f.symlink("subsystems/nqn.2014-08.org.example:s1",
			  "ports/2/subsystems/nqn.2014-08.org.example:s1");
		f.symlink("subsystems/nqn.2014-08.org.example:open",
			  "ports/2/subsystems/nqn.2014-08.org.example:open");
		f.symlink("subsystems/nqn.2014-08.org.example:s1",
			  "ports/10/subsystems/nqn.2014-08.org.example:s1");
		f.write("subsystems/nqn.2014-08.org.example:s1/namespaces/3/ana_grpid", "5");
	}

	Value save()
	{
		Warnings w;
		Value v = nvmetcfg::save(*cfs_, w);
		EXPECT_TRUE(w.empty()) << w[0];
		return v;
	}

	bool empty() const
	{
		return cfs_->list("ports").empty() && cfs_->list("subsystems").empty() &&
		       cfs_->list("hosts").empty();
	}

	std::string dir_;
	std::unique_ptr<FakeConfigfs> cfs_;
};

const char *nvmetcli_file = R"({
  "hosts": [
    {
      "nqn": "hostnqn"
    }
  ],
  "ports": [
    {
      "addr": {
        "adrfam": "ipv4",
        "traddr": "127.0.0.1",
        "treq": "not specified",
        "trsvcid": "4420",
        "trtype": "tcp"
      },
      "ana_groups": [
        {
          "ana": {
            "state": "optimized"
          },
          "grpid": 1
        }
      ],
      "param": {
        "inline_data_size": "16384",
        "pi_enable": "0"
      },
      "portid": 1,
      "referrals": [],
      "subsystems": [
        "testnqn"
      ]
    }
  ],
  "subsystems": [
    {
      "allowed_hosts": [
        "hostnqn"
      ],
      "attr": {
        "allow_any_host": "0",
        "cntlid_max": "65519",
        "cntlid_min": "1",
        "model": "Linux",
        "pi_enable": "0",
        "qid_max": "128",
        "serial": "9a9a6f4c7e8b1d2e",
        "version": "1.3"
      },
      "namespaces": [
        {
          "ana": {
            "grpid": "1"
          },
          "ana_grpid": 1,
          "device": {
            "nguid": "00000000-0000-0000-0000-000000000000",
            "path": "/dev/nullb0",
            "uuid": "d5a9d2b0-5d3c-4a2e-9a3c-2a0c3a0e1f11"
          },
          "enable": 1,
          "nsid": 1
        }
      ],
      "nqn": "testnqn"
    }
  ]
}
)";

} // namespace

TEST_F(NvmetConfig, SaveEmptyTree)
{
	EXPECT_EQ(json::dump(save(), -1), "{\"hosts\":[],\"ports\":[],\"subsystems\":[]}");
}

TEST_F(NvmetConfig, SaveNotATree)
{
	PosixFs nothing(dir_ + "/absent");
	Warnings w;
	EXPECT_THROW(nvmetcfg::save(nothing, w), Error);
}

TEST_F(NvmetConfig, SaveLayout)
{
	build_tree();
	Value v = save();
	const auto &subs = v.find("subsystems")->as_array();
	ASSERT_EQ(subs.size(), 2u);
	const Value &s1 = subs[1];
	EXPECT_EQ(s1.find("nqn")->as_string(), "nqn.2014-08.org.example:s1");
	EXPECT_EQ(s1.find("attr")->find("serial")->as_string(), "serial-1");
	EXPECT_EQ(s1.find("attr")->find("cntlid_min")->as_string(), "10");
	EXPECT_EQ(s1.find("allowed_hosts")->as_array().size(), 1u);
	EXPECT_EQ(s1.find("passthru"), nullptr);	// not configured: not saved
	const auto &nss = s1.find("namespaces")->as_array();
	ASSERT_EQ(nss.size(), 3u);
	EXPECT_EQ(nss[0].find("nsid")->as_int(), 1);	// numeric order
	EXPECT_EQ(nss[1].find("nsid")->as_int(), 3);
	EXPECT_EQ(nss[2].find("nsid")->as_int(), 12);
	EXPECT_EQ(nss[0].find("device")->find("path")->as_string(), "/dev/nullb0");
	EXPECT_EQ(nss[0].find("enable")->as_int(), 1);
	EXPECT_EQ(nss[1].find("enable")->as_int(), 0);
	EXPECT_EQ(nss[1].find("ana_grpid")->as_int(), 5);
	EXPECT_EQ(nss[2].find("buffered_io")->as_string(), "1");
	EXPECT_EQ(nss[0].find("device")->find("revalidate_size"), nullptr);
	const auto &ports = v.find("ports")->as_array();
	ASSERT_EQ(ports.size(), 2u);
	EXPECT_EQ(ports[0].find("portid")->as_int(), 2);
	EXPECT_EQ(ports[1].find("portid")->as_int(), 10);
	EXPECT_EQ(ports[0].find("addr")->find("trsvcid")->as_string(), "4420");
	EXPECT_EQ(ports[0].find("addr")->find("tsas"), nullptr);	// read-only
	EXPECT_EQ(ports[0].find("param")->find("inline_data_size")->as_string(), "-1");
	EXPECT_EQ(ports[0].find("subsystems")->as_array().size(), 2u);
	EXPECT_EQ(ports[0].find("ana_groups")->as_array().size(), 2u);
	const auto &refs = ports[0].find("referrals")->as_array();
	ASSERT_EQ(refs.size(), 1u);
	EXPECT_EQ(refs[0].find("name")->as_string(), "ref1");
	EXPECT_EQ(refs[0].find("enable")->as_int(), 1);
	EXPECT_EQ(refs[0].find("addr")->find("traddr")->as_string(), "10.0.0.9");
	EXPECT_EQ(v.find("hosts")->as_array()[0].find("nqn")->as_string(),
		  "nqn.2014-08.org.example:host1");
}

TEST_F(NvmetConfig, SaveClearRestoreRoundTrip)
{
	build_tree();
	Value before = save();
	nvmetcfg::clear(*cfs_);
	EXPECT_TRUE(empty());
	Warnings w;
	nvmetcfg::restore(*cfs_, before, w);
	EXPECT_TRUE(w.empty()) << w[0];
	EXPECT_EQ(save(), before);
	// restore over a populated tree replaces it
	nvmetcfg::restore(*cfs_, before, w);
	EXPECT_EQ(save(), before);
	// and the JSON text round-trips too
	EXPECT_EQ(json::parse(json::dump(before, 2)), before);
}

TEST_F(NvmetConfig, ClearEmptyTreeIsNoop)
{
	EXPECT_NO_THROW(nvmetcfg::clear(*cfs_));
	EXPECT_TRUE(empty());
}

TEST_F(NvmetConfig, LoadsNvmetcliFile)
{
	Warnings w;
	nvmetcfg::restore(*cfs_, json::parse(nvmetcli_file), w);
	// this fake "kernel" has no param_pi_enable
	ASSERT_EQ(w.size(), 1u);
	EXPECT_EQ(w[0], "the running kernel has no attribute ports/1/param_pi_enable, skipped");
	EXPECT_EQ(cfs_->read("subsystems/testnqn/namespaces/1/enable"), "1");
	EXPECT_EQ(cfs_->read("subsystems/testnqn/namespaces/1/device_uuid"),
		  "d5a9d2b0-5d3c-4a2e-9a3c-2a0c3a0e1f11");
	EXPECT_EQ(cfs_->read("subsystems/testnqn/attr_serial"), "9a9a6f4c7e8b1d2e");
	EXPECT_EQ(cfs_->read("ports/1/param_inline_data_size"), "16384");
	EXPECT_TRUE(cfs_->exists("ports/1/subsystems/testnqn"));
	EXPECT_TRUE(cfs_->exists("subsystems/testnqn/allowed_hosts/hostnqn"));
}

TEST_F(NvmetConfig, MissingAttributeWarnsAndContinues)
{
	cfs_->lacks_qid_max = true;
	Value cfg = json::parse(nvmetcli_file);
	Warnings w;
	nvmetcfg::restore(*cfs_, cfg, w);
	// param_pi_enable and attr_qid_max do not exist in this "kernel"
	ASSERT_EQ(w.size(), 2u);
	EXPECT_NE(w[0].find("param_pi_enable"), std::string::npos) << w[0];
	EXPECT_NE(w[1].find("attr_qid_max"), std::string::npos) << w[1];
	EXPECT_EQ(cfs_->read("subsystems/testnqn/namespaces/1/enable"), "1");
}

TEST_F(NvmetConfig, InvalidConfigTouchesNothing)
{
	build_tree();
	Value before = save();
	int mk = cfs_->mkdirs;
	Value cfg = json::parse(nvmetcli_file);
	cfg["subsystems"].as_array()[0]["allowed_hosts"].push_back("nobody");
	Warnings w;
	try {
		nvmetcfg::restore(*cfs_, cfg, w);
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_STREQ(e.what(),
			     "subsystems[0].allowed_hosts[1]: host \"nobody\" is not in \"hosts\"");
	}
	EXPECT_EQ(cfs_->mkdirs, mk);
	EXPECT_EQ(save(), before);
}

TEST_F(NvmetConfig, KernelRefusalRollsBackToPrevious)
{
	build_tree();
	Value before = save();
	Value cfg = json::parse(nvmetcli_file);
	cfg["ports"].as_array()[0]["addr"]["trtype"] = "bogus";
	Warnings w;
	try {
		nvmetcfg::restore(*cfs_, cfg, w);
		FAIL() << "no error";
	} catch (const Error &e) {
		std::string m = e.what();
		EXPECT_NE(m.find("addr_trtype"), std::string::npos) << m;
		EXPECT_NE(m.find("previous configuration was put back"), std::string::npos) << m;
	}
	EXPECT_EQ(save(), before);
}

TEST_F(NvmetConfig, KernelRefusalOnEmptyTreeLeavesNothing)
{
	Value cfg = json::parse(nvmetcli_file);
	cfg["subsystems"].as_array()[0]["attr"]["cntlid_max"] = "lots";
	Warnings w;
	try {
		nvmetcfg::restore(*cfs_, cfg, w);
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_NE(std::string(e.what()).find("nothing was left configured"),
			  std::string::npos) << e.what();
	}
	EXPECT_TRUE(empty());
}

TEST_F(NvmetConfig, ValidateMessages)
{
	struct Case {
		const char *json;
		const char *msg;
	} cases[] = {
		{"[]", "configuration: must be an object, not array"},
		{"{\"hosts\": {}}", "configuration.hosts: must be an array, not object"},
		{"{\"hosts\": [{}]}", "hosts[0]: \"nqn\" is missing"},
		{"{\"hosts\": [{\"nqn\": \"a b\"}]}",
		 "hosts[0].nqn: \"a b\" contains a space, '/' or a control character"},
		{"{\"hosts\": [{\"nqn\": \"a\"}, {\"nqn\": \"a\"}]}", "hosts[1]: host \"a\" listed twice"},
		{"{\"subsystems\": [{\"nqn\": \"nqn.2014-08.org.nvmexpress.discovery\"}]}",
		 "subsystems[0].nqn: the discovery subsystem cannot be configured"},
		{"{\"subsystems\": [{\"nqn\": \"s\", \"namespaces\": [{\"nsid\": 0}]}]}",
		 "subsystems[0].namespaces[0].nsid: 0 is out of range 1..4294967294"},
		{"{\"subsystems\": [{\"nqn\": \"s\", \"namespaces\": [{\"nsid\": 1}, {\"nsid\": \"1\"}]}]}",
		 "subsystems[0].namespaces[1]: nsid 1 listed twice"},
		{"{\"subsystems\": [{\"nqn\": \"s\", \"namespaces\": [{\"nsid\": 1, \"enable\": 1}]}]}",
		 "subsystems[0].namespaces[0]: enabled namespace without device.path"},
		{"{\"subsystems\": [{\"nqn\": \"s\", \"attr\": {\"serial\": [1]}}]}",
		 "subsystems[0].attr.serial: must be a string or integer, not array"},
		{"{\"subsystems\": [{\"nqn\": \"s\", \"attr\": {\"../x\": 1}}]}",
		 "subsystems[0].attr: bad attribute name \"../x\""},
		{"{\"ports\": [{\"portid\": 70000}]}", "ports[0].portid: 70000 is out of range 0..65535"},
		{"{\"ports\": [{\"portid\": 1.5}]}", "ports[0].portid: must be an integer, not number"},
		{"{\"ports\": [{}]}", "ports[0]: \"portid\" is missing"},
		{"{\"ports\": [{\"portid\": 1}, {\"portid\": 1}]}", "ports[1]: portid 1 listed twice"},
		{"{\"ports\": [{\"portid\": 1, \"subsystems\": [\"x\"]}]}",
		 "ports[0].subsystems[0]: subsystem \"x\" is not in \"subsystems\""},
		{"{\"ports\": [{\"portid\": 1, \"referrals\": [{\"name\": \"a/b\"}]}]}",
		 "ports[0].referrals[0]: \"name\" missing or not a plain name"},
		{"{\"ports\": [{\"portid\": 1, \"ana_groups\": [{\"grpid\": 0}]}]}",
		 "ports[0].ana_groups[0].grpid: 0 is out of range 1..4294967295"},
	};
	for (const auto &c : cases) {
		Warnings w;
		try {
			nvmetcfg::validate(json::parse(c.json), w);
			ADD_FAILURE() << "accepted: " << c.json;
		} catch (const Error &e) {
			EXPECT_STREQ(e.what(), c.msg) << c.json;
		}
	}
	Warnings w;
	nvmetcfg::validate(json::parse("{\"hosts\": [], \"extra\": 1}"), w);
	ASSERT_EQ(w.size(), 1u);
	EXPECT_EQ(w[0], "configuration: unknown key \"extra\", ignored");
}

TEST_F(NvmetConfig, CommandLine)
{
	build_tree();
	Value before = save();
	std::string root = dir_ + "/nvmet";
	std::string file = dir_ + "/saved.json";
	auto factory = [](const std::string &r) {
		return std::unique_ptr<nvmetcfg::Fs>(new FakeConfigfs(r, false));
	};
	auto run = [&](std::vector<std::string> a) {
		return nvmetcfg::run(a, "/nonexistent", factory);
	};
	EXPECT_EQ(run({"--root", root, "save", file}), 0);
	struct stat st;
	ASSERT_EQ(stat(file.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	EXPECT_EQ(run({"--root", root, "check", file}), 0);
	EXPECT_EQ(run({"--root=" + root, "clear"}), 0);
	EXPECT_TRUE(empty());
	EXPECT_EQ(run({"--root", root, "restore", file}), 0);
	EXPECT_EQ(save(), before);

	std::ofstream(dir_ + "/bad.json") << "{\"hosts\": [}";
	EXPECT_EQ(run({"--root", root, "restore", dir_ + "/bad.json"}), 1);
	EXPECT_EQ(save(), before);
	EXPECT_EQ(run({"--root", root, "restore", dir_ + "/missing.json"}), 1);
	EXPECT_EQ(run({"--root", root, "frobnicate"}), 2);
	EXPECT_EQ(run({"--root", root, "clear", "extra"}), 2);
	EXPECT_EQ(run({"--bogus"}), 2);
	EXPECT_EQ(run({"save"}), 1);	// default root does not exist
	EXPECT_EQ(nvmetcfg::run({"--root", root, "save", dir_ + "/plain.json"}, "/x"), 0);
}
