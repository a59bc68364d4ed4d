# The cpython program's job: plain Python (ints, strings, a dict, sorting), run as `python -c`.
words = {}
checksum = 0
for i in range(10000):
    word = f"{i * 7919 % 1009:04x}-{i % 7}"
    words[word] = words.get(word, 0) + i
    checksum = (checksum * 31 + len(word) + i) % 1_000_000_007
top = sorted(words.items(), key=lambda item: (-item[1], item[0]))[:3]
print(f"checksum {checksum}, {len(words)} words")
for word, total in top:
    print(f"{word:>8} {total:>10,}")
