-- The Lua benchmark of `python -m benchmarks --section programs`: a little of what Lua
-- programs spend their time on (calls, tables, strings, closures, metatables), each part
-- printing a checksum so that every engine's output can be compared with the expected one.

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print("fib", fib(20))

-- Tables: fill, sort with a comparison function, sum.
local seed = 42
local function random()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end
local numbers = {}
for i = 1, 5000 do numbers[i] = random() % 100000 end
table.sort(numbers, function(a, b) return a > b end)
local sum = 0
for i = 1, #numbers, 7 do sum = sum + numbers[i] * i end
print("sort", numbers[1], numbers[#numbers], sum)

-- Strings: build words, count them in a table, format, match patterns.
local words = {}
for i = 1, 3000 do
  words[#words + 1] = string.format("w%03d", random() % 500)
end
local text = table.concat(words, " ")
local counts = {}
for word in text:gmatch("%a%d+") do counts[word] = (counts[word] or 0) + 1 end
local distinct, most, most_word = 0, 0, ""
for word, count in pairs(counts) do
  distinct = distinct + 1
  if count > most or (count == most and word < most_word) then most, most_word = count, word end
end
local replaced = text:gsub("w(%d)(%d)", "%2%1")
print("strings", #text, distinct, most_word, most, #replaced, replaced:sub(1, 20))

-- Closures and metatables: vectors with __add and __mul, an accumulator made by a closure.
local Vector = {}
Vector.__index = Vector
local function vector(x, y) return setmetatable({ x = x, y = y }, Vector) end
Vector.__add = function(a, b) return vector(a.x + b.x, a.y + b.y) end
Vector.__mul = function(a, k) return vector(a.x * k, a.y * k) end
function Vector:length2() return self.x * self.x + self.y * self.y end
local function accumulator()
  local total = vector(0, 0)
  return function(v) total = total + v; return total end
end
local add = accumulator()
local last
for i = 1, 4000 do last = add(vector(i % 7, i % 11) * 0.5) end
print("vectors", last.x, last.y, last:length2())
