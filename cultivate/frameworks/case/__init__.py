"""1EdTech CASE 1.1: a lenient reader and a strict writer."""
