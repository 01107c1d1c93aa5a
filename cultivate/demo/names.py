"""Invented names for demo staff, in small pools by heritage so that a name fits the ethnic category drawn.

The pools are ours and deliberately short: the demo needs plausible, varied names, not a census."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NamePool:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


def _pool(female: str, male: str, family: str) -> NamePool:
    return NamePool(tuple(female.split()), tuple(male.split()), tuple(family.split()))


POOLS: dict[str, NamePool] = {
    "british": _pool(
        "Amelia Olivia Emily Jessica Sophie Charlotte Hannah Lucy Chloe Megan Rebecca Laura Gemma Joanne Karen "
        "Susan Tracey Julie Angela Lisa Nicola Claire Sarah Helen Deborah Paula Leanne Kirsty Natalie Bethany "
        "Ellie Abigail Lauren Danielle Michelle Janet Carol Lorraine Samantha Amy",
        "Jack Thomas James Oliver Harry George Daniel Ryan Liam Callum Matthew Christopher Andrew Mark Paul "
        "Stephen Darren Lee Craig Gary Wayne Kevin Neil Simon Richard Martin Adam Luke Nathan Jordan Connor "
        "Dean Jamie Robert David Peter Ian Graham Shaun",
        "Smith Jones Taylor Brown Wilson Walker Wright Robinson Thompson Hughes Wood Hall Green Clarke Jackson "
        "Turner Hill Harrison Ward Morris Cooper Shaw Lawson Holmes Barker Atkinson Bennett Pearson Dixon "
        "Fletcher Marsh Hartley Whitaker Sutcliffe Ackroyd Greenwood Haigh Crowther Hirst Booth Lockwood "
        "Ramsden Holroyd Brook Kershaw",
    ),
    "irish": _pool(
        "Siobhan Aoife Niamh Ciara Orla Roisin Sinead Grainne Aisling Maeve Clodagh Eimear",
        "Sean Ciaran Declan Padraig Niall Eoin Conor Cormac Fergal Darragh Ronan Oisin",
        "Murphy Kelly O'Brien Byrne Ryan O'Sullivan Walsh Doyle McCarthy Gallagher Doherty Kennedy Lynch Quinn "
        "Brennan Nolan",
    ),
    "european": _pool(
        "Agnieszka Katarzyna Magdalena Joanna Ioana Andreea Elena Mihaela Ana Beatriz Ines Giulia Francesca "
        "Rasa Egle Lucia Carmen Eleni",
        "Piotr Tomasz Krzysztof Marek Andrei Mihai Bogdan Alexandru Joao Tiago Rui Marco Luca Giorgos Tomas "
        "Darius Pablo Javier",
        "Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Popescu Ionescu Stan Dumitru Silva Santos "
        "Ferreira Pereira Rossi Russo Kazlauskas Petrauskas Garcia Fernandez Papadopoulos",
    ),
    "caribbean": _pool(
        "Marcia Sharon Jacqueline Beverley Paulette Yvonne Simone Keisha Tanisha Chantelle Shanice Jasmine "
        "Natasha Donna Maxine",
        "Delroy Winston Clive Leroy Everton Marcus Andre Tyrone Jermaine Dwayne Marlon Kemar Devon Trevor Errol",
        "Campbell Brown Williams Francis Bailey Gordon Edwards Grant Reid Samuels Thomas Henry Forbes Powell "
        "Morgan Clarke Richards James",
    ),
    "african": _pool(
        "Chiamaka Ngozi Adaeze Funmilayo Folake Abena Akosua Ama Efua Nyasha Tendai Rutendo Chipo Wanjiru "
        "Achieng Blessing Precious Grace Esther Mercy Joy Faith Comfort",
        "Chinedu Emeka Obinna Oluwaseun Tunde Kwame Kofi Kwabena Yaw Tatenda Tinashe Farai Kudakwashe Otieno "
        "Kamau Emmanuel Samuel Godfrey Isaac Daniel",
        "Okafor Okeke Adeyemi Adebayo Ogunleye Nwosu Eze Mensah Asante Owusu Boateng Osei Moyo Ncube Dube "
        "Sibanda Chikwanha Mutasa Otieno Wanjiku Mwangi Abubakar Bello",
    ),
    "indian": _pool(
        "Priya Anjali Deepa Kavita Sunita Neha Pooja Meera Asha Rekha Harpreet Jaspreet Manpreet Gurpreet "
        "Simran Divya",
        "Rajesh Sanjay Amit Vikram Arjun Rohan Sunil Anil Harjit Gurdeep Jaswinder Mandeep Ravi Kiran Nikhil Dev",
        "Patel Sharma Singh Kaur Gill Sandhu Sidhu Dhillon Mistry Joshi Mehta Nair Pillai Reddy Shah Desai "
        "Chauhan Parmar",
    ),
    "pakistani": _pool(
        "Ayesha Fatima Saima Nadia Shazia Rabia Sana Hina Amna Zainab Mariam Iqra Samina Farah",
        "Imran Asif Tariq Kamran Bilal Usman Adeel Zeeshan Faisal Naveed Shahid Irfan Haroon Wasim",
        "Khan Hussain Ahmed Akhtar Iqbal Ali Mahmood Butt Qureshi Malik Raja Chaudhry Aslam Rashid Bashir Javed",
    ),
    "bangladeshi": _pool(
        "Nasreen Rehana Shirin Farzana Salma Taslima Rumana Nazia Sumaiya Tahmina",
        "Abdul Rahim Jamal Kamal Rafiq Shamim Mizanur Habibur Ashraf Moin Sohel",
        "Miah Begum Uddin Rahman Islam Hoque Chowdhury Ahmed Sarkar Alam Karim",
    ),
    "other_asian": _pool(
        "Maria Rosalie Jennifer Mary Grace Cristina Marites Lakshmi Nirosha Tharshini Sabina Anjana Puja",
        "Jose Mark Rodel Ramon Noel Jerome Suresh Nimal Pradeep Bikash Ramesh Santosh Dipak",
        "Reyes Cruz Bautista Mendoza Aquino Villanueva Perera Fernando Gurung Thapa Rai Limbu Tamang Shrestha",
    ),
    "chinese": _pool(
        "Mei Jing Ling Yan Hui Xin Wen Ying Lan Shu",
        "Wei Jun Hao Ming Jian Lei Bo Tao Qiang Kai Yong",
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Ho Wong Chan Cheung Lau Ng",
    ),
    "other": _pool(
        "Layla Yasmin Noor Huda Leila Zeynep Elif Maryam Dilan Amira Rana",
        "Omar Ahmad Karim Yusuf Hassan Mehmet Emre Reza Dariush Samir Rami Hussein",
        "Haddad Mansour Khalil Aziz Nasser Yilmaz Demir Kaya Celik Hosseini Karimi Rahimi Ahmadi Barzani",
    ),
}

# Ethnic category → (given-name pools, family-name pools), each a list of (pool, weight). Mixed categories draw
# the two halves of a name from different pools, as families do.
_BY_CATEGORY: dict[str, tuple[list[tuple[str, int]], list[tuple[str, int]]]] = {
    "A": ([("british", 1)], [("british", 1)]),
    "B": ([("irish", 4), ("british", 1)], [("irish", 1)]),
    "C": ([("european", 1)], [("european", 1)]),
    "D": ([("british", 1), ("caribbean", 1)], [("caribbean", 1), ("british", 1)]),
    "E": ([("british", 1), ("african", 1)], [("african", 1), ("british", 1)]),
    "F": ([("british", 1), ("indian", 1)], [("british", 1), ("pakistani", 1), ("indian", 1)]),
    "G": ([("british", 2), ("european", 1), ("other", 1)], [("british", 1), ("other", 1), ("chinese", 1)]),
    "H": ([("indian", 1)], [("indian", 1)]),
    "J": ([("pakistani", 1)], [("pakistani", 1)]),
    "K": ([("bangladeshi", 1)], [("bangladeshi", 1)]),
    "L": ([("other_asian", 1)], [("other_asian", 1)]),
    "M": ([("caribbean", 1)], [("caribbean", 1)]),
    "N": ([("african", 1)], [("african", 1)]),
    "P": ([("caribbean", 1), ("african", 1)], [("caribbean", 1), ("african", 1)]),
    "R": ([("chinese", 1)], [("chinese", 1)]),
    "S": ([("other", 1)], [("other", 1)]),
    "Z": (
        [("british", 6), ("european", 1), ("african", 1)],
        [("british", 6), ("european", 1), ("african", 1)],
    ),
    "99": ([("british", 6), ("irish", 1), ("indian", 1)], [("british", 6), ("irish", 1), ("indian", 1)]),
}


def _choose_pool(rng: random.Random, options: list[tuple[str, int]]) -> NamePool:
    names = [name for name, _weight in options]
    weights = [weight for _name, weight in options]
    return POOLS[rng.choices(names, weights)[0]]


def draw_name(rng: random.Random, ethnic_category: str, sex: str) -> tuple[str, str]:
    """A (given, family) name that fits the ethnic category; sex "M" draws a male given name, "F" a female
    one, anything else either."""
    given_options, family_options = _BY_CATEGORY.get(ethnic_category, _BY_CATEGORY["99"])
    given_pool = _choose_pool(rng, given_options)
    if sex == "M":
        given = rng.choice(given_pool.male)
    elif sex == "F":
        given = rng.choice(given_pool.female)
    else:
        given = rng.choice(given_pool.female + given_pool.male)
    family = rng.choice(_choose_pool(rng, family_options).family)
    return given, family


def email_local_part(given: str, family: str) -> str:
    """`given.family`, lower case, letters only (so O'Brien becomes obrien)."""
    return f"{re.sub(r'[^a-z]', '', given.lower())}.{re.sub(r'[^a-z]', '', family.lower())}"
