"""Notion (API version 2025-09-03): tasks in a data source, and page content for the summary."""

from connectors.notion.client import API_VERSION, NotionClient
from connectors.notion.connector import NotionConnector
from connectors.notion.mapping import TaskContext, page_to_remote, page_to_task, task_to_properties
from connectors.notion.models import (
    NotionBlock,
    NotionDatabase,
    NotionDataSource,
    NotionList,
    NotionPage,
    NotionPropertySchema,
    NotionPropertyValue,
    NotionUser,
)
from connectors.notion.schema import ProjectIndex, TaskProperties, resolve_properties

__all__ = [
    "API_VERSION",
    "NotionBlock",
    "NotionClient",
    "NotionConnector",
    "NotionDataSource",
    "NotionDatabase",
    "NotionList",
    "NotionPage",
    "NotionPropertySchema",
    "NotionPropertyValue",
    "NotionUser",
    "ProjectIndex",
    "TaskContext",
    "TaskProperties",
    "page_to_remote",
    "page_to_task",
    "resolve_properties",
    "task_to_properties",
]
