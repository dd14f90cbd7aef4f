-- cdperf.media: profile codes, classes, 1x constants, ladders.

local media = require "cdperf.media"

describe("media.class", function()
  it("maps every profile family of the captures", function()
    assert.are.equal("cd", media.class(0x09))     -- Capture G: CD-R
    assert.are.equal("dvd", media.class(0x14))    -- A: DVD-RW Sequential
    assert.are.equal("dvd", media.class(0x1B))    -- B, F: DVD+R
    assert.are.equal("dvd", media.class(0x1A))    -- C: DVD+RW
    assert.are.equal("dvd", media.class(0x12))    -- D: DVD-RAM
    assert.are.equal("dvd", media.class(0x2B))    -- E: DVD+R DL
    assert.are.equal("bd", media.class(0x41))     -- I: BD-R SRM
    assert.are.equal("hddvd", media.class(0x51))
    assert.are.equal("cd", media.class(0x21))     -- DDCD-R
  end)
  it("has no class for no medium and non-optical profiles", function()
    assert.is_nil(media.class(0))
    assert.is_nil(media.class(0x02))
    assert.is_nil(media.class(0x99))
  end)
  it("raises on misuse, naming the argument", function()
    assert.has_error(function() media.class("DVD") end,
      "bad argument #1 to 'class' (profile code 0..0xFFFF expected, got string)")
    assert.has_error(function() media.class(1.5) end,
      "bad argument #1 to 'class' (profile code 0..0xFFFF expected, got 1.5)")
  end)
end)

describe("media.name and media.profile", function()
  it("names profiles as MMC does", function()
    assert.are.equal("DVD-RW Sequential", media.name(0x14))
    assert.are.equal("DVD-R DL Sequential", media.name(0x15))
    assert.are.equal("DVD-R DL Jump", media.name(0x16))
    assert.are.equal("DVD+R DL", media.name(0x2B))
    assert.are.equal("BD-R SRM", media.name(0x41))
    assert.are.equal("BD-RE", media.name(0x43))
    assert.are.equal("HD DVD-RW DL", media.name(0x5A))
    assert.are.equal("Removable disk", media.name(0x02))
    assert.are.equal("no medium", media.name(0))
    assert.are.equal("unknown profile 0099h", media.name(0x99))
  end)
  it("builds the profile table drive:profile() returns, plus writable", function()
    assert.are.same({ code = 0x1B, name = "DVD+R", class = "dvd", writable = true }, media.profile(0x1B))
    assert.are.same({ code = 0x40, name = "BD-ROM", class = "bd", writable = false }, media.profile(0x40))
    assert.are.same({ code = 0, name = "no medium", writable = false }, media.profile(0))
  end)
  it("knows which profiles are writable", function()
    assert.is_true(media.writable(0x12))
    assert.is_true(media.writable(0x09))
    assert.is_false(media.writable(0x08))
    assert.is_false(media.writable(0x10))
  end)
end)

describe("media constants", function()
  it("has the 1x rates of DESIGN.md 5", function()
    assert.are.same({ cd = 176.4, dvd = 1385, bd = 4495.5, hddvd = 4500 }, media.ONE_X)
    assert.are.equal(75 * 2352 / 1000, media.ONE_X.cd)
  end)
  it("has the standard ladders", function()
    assert.are.same({ 1, 2, 4, 8, 10, 12, 16, 20, 24, 32, 40, 48, 52 }, media.LADDERS.cd)
    assert.are.same({ 1, 2, 2.4, 3, 4, 5, 6, 8, 10, 12, 16, 18, 20, 22, 24 }, media.LADDERS.dvd)
    assert.are.same({ 1, 2, 4, 6, 8, 10, 12, 14, 16 }, media.LADDERS.bd)
  end)
  it("raises on an unknown class", function()
    assert.has_error(function() media.one_x("floppy", "speed", 2) end,
      'bad argument #2 to \'speed\' (media class cd|dvd|bd|hddvd expected, got "floppy")')
  end)
end)
